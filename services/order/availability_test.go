package order_test

import (
	"context"
	"slices"
	"testing"
	"time"

	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
	orderv1 "github.com/jangteo/jangteo/gen/go/jangteo/order/v1"
)

// Bookings move the catalog's availability through events: a hold takes
// the slot, a cancel gives it back.
func TestCatalogAvailabilityFollowsBookings(t *testing.T) {
	t.Parallel()
	e := start(t, options{})
	sp := e.space(t, e.newBuyer())
	g := e.newBuyer()
	date := inDays(40)
	freeDay := func() bool {
		t.Helper()
		list := must(e.spaces.ListSpaces(context.Background(), &catalogv1.ListSpacesRequest{District: "mapo", Date: date, Option: "day"}))
		return slices.ContainsFunc(list.GetSpaces(), func(s *catalogv1.Space) bool { return s.GetId() == sp.GetId() })
	}
	if !freeDay() {
		t.Fatal("an unbooked day is not free")
	}
	booked := time.Now()
	b := must(e.book(g.ctx, sp.GetSlug(), date, "day"))
	eventually(t, "the hold in the catalog", func() bool { return !freeDay() })
	t.Logf("the hold reached the catalog's availability %s after the booking call", time.Since(booked).Round(time.Millisecond))
	days := must(e.spaces.GetSpaceAvailability(context.Background(), &catalogv1.GetSpaceAvailabilityRequest{Space: sp.GetSlug(), Month: date[:7]})).GetDays()
	var day *catalogv1.SpaceDay
	for _, d := range days {
		if d.GetDate() == date {
			day = d
		}
	}
	if !slices.Equal(day.GetTaken(), []string{"day", "all_day"}) || !slices.Equal(day.GetFree(), []string{"night"}) {
		t.Fatalf("availability of %s: %v", date, day)
	}
	must(e.bookings.CancelBooking(g.ctx, &orderv1.CancelBookingRequest{Id: b.GetId()}))
	eventually(t, "the release in the catalog", freeDay)
}

// A booking keeps the price and hours its space had: an edit in the catalog
// applies to later bookings only.
func TestBookingSnapshotsTheSpace(t *testing.T) {
	t.Parallel()
	e := start(t, options{})
	host := e.newBuyer()
	sp := e.space(t, host)
	before := must(e.book(e.newBuyer().ctx, sp.GetSlug(), inDays(3), "day"))
	must(e.spaces.UpdateSpace(host.ctx, &catalogv1.UpdateSpaceRequest{
		Space: sp.GetSlug(), Name: ptr("Hapjeong studio B"),
		Options: []*catalogv1.SpaceOptionInput{{Kind: "day", Price: krw(55000), StartHour: ptr(int32(10)), EndHour: ptr(int32(20))}},
	}))
	b := must(e.book(e.newBuyer().ctx, sp.GetSlug(), inDays(4), "day"))
	if h := b.GetStartTime().AsTime().In(time.FixedZone("KST", 9*3600)).Hour(); h != 10 || b.GetPrice().GetAmount() != 55000 || b.GetSpaceName() != "Hapjeong studio B" {
		t.Fatalf("booking starts at %d:00 for %v as %q", h, b.GetPrice(), b.GetSpaceName())
	}
	_, err := e.book(e.newBuyer().ctx, sp.GetSlug(), inDays(4), "night")
	wantField(t, err, "option")
	hosted := must(e.bookings.ListHostedBookings(host.ctx, &orderv1.ListHostedBookingsRequest{Space: sp.GetSlug()}))
	if hosted.GetTotalCount() != 2 || hosted.GetBookings()[1].GetId() != before.GetId() || hosted.GetBookings()[1].GetPrice().GetAmount() != 50000 ||
		hosted.GetBookings()[1].GetSpaceName() != "Hapjeong studio" {
		t.Fatalf("hosted = %v", hosted)
	}
}
