package order_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"google.golang.org/grpc/codes"

	orderv1 "github.com/jangteo/jangteo/gen/go/jangteo/order/v1"
)

func TestSpaceSearch(t *testing.T) {
	t.Parallel()
	e := start(t, options{})
	host := e.newBuyer()
	studio := e.space(t, host) // mapo studio 2–8, day ₩50,000, night ₩40,000, all day ₩80,000
	party := must(e.bookings.CreateSpace(host.ctx, &orderv1.CreateSpaceRequest{
		Name: "Gangnam party room", District: "gangnam", Address: "강남대로 1", MinPeople: 10, MaxPeople: 30, Category: "party_room",
		Options: []*orderv1.SpaceOptionInput{{Kind: "day", Price: krw(120000)}},
	})).GetSpace()
	meeting := must(e.bookings.CreateSpace(host.ctx, &orderv1.CreateSpaceRequest{
		Name: "Mapo meeting room", District: "mapo", Address: "마포대로 2", MinPeople: 1, MaxPeople: 4, Category: "meeting_room",
		Options: []*orderv1.SpaceOptionInput{{Kind: "day", Price: krw(30000)}, {Kind: "night", Price: krw(35000)}},
	})).GetSpace()

	search := func(r *orderv1.ListSpacesRequest) ([]string, int32) {
		t.Helper()
		resp := must(e.bookings.ListSpaces(context.Background(), r))
		var names []string
		for _, sp := range resp.GetSpaces() {
			names = append(names, sp.GetSlug())
		}
		return names, resp.GetTotalCount()
	}
	want := func(r *orderv1.ListSpacesRequest, slugs ...string) {
		t.Helper()
		got, total := search(r)
		if !slices.Equal(got, slugs) || int(total) != len(slugs) {
			t.Fatalf("search %v = %v (total %d), want %v", r, got, total, slugs)
		}
	}
	a, b, c := studio.GetSlug(), party.GetSlug(), meeting.GetSlug()
	want(&orderv1.ListSpacesRequest{}, c, b, a) // newest first
	want(&orderv1.ListSpacesRequest{District: "mapo"}, c, a)
	want(&orderv1.ListSpacesRequest{Category: "party_room"}, b)
	want(&orderv1.ListSpacesRequest{People: 20}, b)
	want(&orderv1.ListSpacesRequest{People: 3, Sort: "price_asc"}, c, a)
	want(&orderv1.ListSpacesRequest{Sort: "price_desc"}, b, a, c) // by the lowest option price
	if got, total := search(&orderv1.ListSpacesRequest{Sort: "price_asc", PageSize: 1, Page: 2}); !slices.Equal(got, []string{a}) || total != 3 {
		t.Fatalf("page 2 = %v (total %d)", got, total)
	}

	// A date two months ahead: the studio's day and night booked.
	seoul, _ := time.LoadLocation("Asia/Seoul")
	month := time.Now().In(seoul).AddDate(0, 2, 0).Format("2006-01")
	date := month + "-10"
	must(e.book(e.newBuyer().ctx, a, date, "day"))
	want(&orderv1.ListSpacesRequest{District: "mapo", Date: date, Option: "day"}, c)
	want(&orderv1.ListSpacesRequest{District: "mapo", Date: date}, c, a) // its night is free
	want(&orderv1.ListSpacesRequest{Date: date, Option: "all_day"})
	must(e.book(e.newBuyer().ctx, a, date, "night"))
	want(&orderv1.ListSpacesRequest{District: "mapo", Date: date}, c)

	days := must(e.bookings.GetSpaceAvailability(context.Background(), &orderv1.GetSpaceAvailabilityRequest{Space: a, Month: month})).GetDays()
	if len(days) < 28 || days[9].GetDate() != date || len(days[9].GetFree()) != 0 || !slices.Equal(days[9].GetTaken(), []string{"day", "night", "all_day"}) ||
		!slices.Equal(days[10].GetFree(), []string{"day", "night", "all_day"}) || !slices.Equal(days[8].GetFree(), []string{"day", "night", "all_day"}) {
		t.Fatalf("availability around %s: %v %v %v", date, days[8], days[9], days[10])
	}

	// Likes: one per user, counted, and sorting by them.
	fan, other := e.newBuyer(), e.newBuyer()
	for range 2 {
		if n := must(e.bookings.LikeSpace(fan.ctx, &orderv1.LikeSpaceRequest{Space: b})).GetLikeCount(); n != 1 {
			t.Fatalf("likes = %d", n)
		}
	}
	must(e.bookings.LikeSpace(other.ctx, &orderv1.LikeSpaceRequest{Space: b}))
	must(e.bookings.LikeSpace(other.ctx, &orderv1.LikeSpaceRequest{Space: c}))
	want(&orderv1.ListSpacesRequest{Sort: "likes"}, b, c, a)
	if sp := must(e.bookings.GetSpace(fan.ctx, &orderv1.GetSpaceRequest{Space: b})).GetSpace(); !sp.GetLikedByMe() || sp.GetLikeCount() != 2 {
		t.Fatalf("space as its fan: %v", sp)
	}
	if n := must(e.bookings.UnlikeSpace(fan.ctx, &orderv1.UnlikeSpaceRequest{Space: b})).GetLikeCount(); n != 1 {
		t.Fatalf("likes after unlike = %d", n)
	}
	if n := must(e.bookings.UnlikeSpace(fan.ctx, &orderv1.UnlikeSpaceRequest{Space: b})).GetLikeCount(); n != 1 {
		t.Fatalf("likes after a second unlike = %d", n)
	}

	// Bad input names the field.
	bad := func(r *orderv1.ListSpacesRequest, field string) {
		t.Helper()
		_, err := e.bookings.ListSpaces(context.Background(), r)
		wantField(t, err, field)
	}
	bad(&orderv1.ListSpacesRequest{District: "atlantis"}, "district")
	bad(&orderv1.ListSpacesRequest{Category: "castle"}, "category")
	bad(&orderv1.ListSpacesRequest{Sort: "cheapest"}, "sort")
	bad(&orderv1.ListSpacesRequest{Option: "day"}, "date")
	bad(&orderv1.ListSpacesRequest{Date: "tomorrow"}, "date")
	bad(&orderv1.ListSpacesRequest{Date: date, Option: "brunch"}, "option")
	bad(&orderv1.ListSpacesRequest{People: -1}, "people")
	_, err := e.bookings.GetSpaceAvailability(context.Background(), &orderv1.GetSpaceAvailabilityRequest{Space: a, Month: "2026-13"})
	wantField(t, err, "month")
	_, err = e.bookings.GetSpaceAvailability(context.Background(), &orderv1.GetSpaceAvailabilityRequest{Space: "nowhere", Month: month})
	wantCode(t, err, codes.NotFound, "SPACE_NOT_FOUND")
	_, err = e.bookings.LikeSpace(fan.ctx, &orderv1.LikeSpaceRequest{Space: "nowhere"})
	wantCode(t, err, codes.NotFound, "SPACE_NOT_FOUND")
}

func TestSpaceEdit(t *testing.T) {
	t.Parallel()
	e := start(t, options{})
	host := e.newBuyer()
	sp := e.space(t, host)

	_, err := e.bookings.UpdateSpace(e.newBuyer().ctx, &orderv1.UpdateSpaceRequest{Space: sp.GetSlug(), Name: ptr("Mine now")})
	wantCode(t, err, codes.PermissionDenied, "NOT_SPACE_HOST")
	_, err = e.bookings.UpdateSpace(host.ctx, &orderv1.UpdateSpaceRequest{Space: sp.GetSlug(), MaxPeople: ptr(int32(1))})
	wantField(t, err, "max_people")

	got := must(e.bookings.UpdateSpace(host.ctx, &orderv1.UpdateSpaceRequest{
		Space: sp.GetSlug(), Name: ptr("Hapjeong studio B"), MaxPeople: ptr(int32(12)), Facilities: []string{"wifi", "projector"},
		Options: []*orderv1.SpaceOptionInput{{Kind: "day", Price: krw(55000), StartHour: ptr(int32(10)), EndHour: ptr(int32(20))}},
	})).GetSpace()
	if got.GetName() != "Hapjeong studio B" || got.GetMaxPeople() != 12 || got.GetMinPeople() != 2 || len(got.GetOptions()) != 1 ||
		got.GetOptions()[0].GetPrice().GetAmount() != 55000 || got.GetOptions()[0].GetEndHour() != 20 || !slices.Equal(got.GetFacilities(), []string{"wifi", "projector"}) {
		t.Fatalf("edited = %v", got)
	}
	staffEdit := must(e.bookings.UpdateSpace(e.staff(), &orderv1.UpdateSpaceRequest{Space: sp.GetId(), District: ptr("jongno")})).GetSpace()
	if staffEdit.GetDistrict() != "jongno" || staffEdit.GetName() != "Hapjeong studio B" {
		t.Fatalf("staff edit = %v", staffEdit)
	}
	// The new hours apply to new bookings.
	b := must(e.book(e.newBuyer().ctx, sp.GetSlug(), inDays(4), "day"))
	if h := b.GetStartTime().AsTime().In(time.FixedZone("KST", 9*3600)).Hour(); h != 10 || b.GetPrice().GetAmount() != 55000 {
		t.Fatalf("booking starts at %d:00 for %v", h, b.GetPrice())
	}
	_, err = e.book(e.newBuyer().ctx, sp.GetSlug(), inDays(4), "night")
	wantField(t, err, "option")
}
