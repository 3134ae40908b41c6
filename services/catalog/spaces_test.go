package catalog_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/png"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
	orderv1 "github.com/jangteo/jangteo/gen/go/jangteo/order/v1"
	"github.com/jangteo/jangteo/platform/events"
)

var seoul = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		panic(err)
	}
	return loc
}()

// studio lists a studio in Mapo for 2–8 people, rented by day (₩50,000),
// night (₩40,000) and all day (₩80,000) at the default hours.
func studio(t *testing.T, e env, host context.Context) *catalogv1.Space {
	t.Helper()
	return must(e.spaces.CreateSpace(host, &catalogv1.CreateSpaceRequest{
		Name: "Hapjeong studio", District: "mapo", Address: "서울특별시 마포구 양화로 45", MinPeople: 2, MaxPeople: 8,
		Category: "studio", Facilities: []string{"wifi", "lighting"}, ContactEmail: "host@example.com",
		Options: []*catalogv1.SpaceOptionInput{
			{Kind: "day", Price: krw(50000)}, {Kind: "night", Price: krw(40000)}, {Kind: "all_day", Price: krw(80000)},
		},
	})).GetSpace()
}

func ptr[T any](v T) *T { return &v }

// slotEvent is a booking event as the order service publishes it.
type slotEvent struct {
	id, subject string
	booking     string
	space       *catalogv1.Space
	date        string
	option      string
	seq         int64            // the booking's aggregate sequence; 0: none
	prev        map[string]int64 // per subject, the booking's latest earlier event
}

// publishSlot publishes a booking event on the ORDER stream the way the
// order service's relay does, with the booking as the aggregate when seq is set.
func publishSlot(t *testing.T, e env, ev slotEvent) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := events.EnsureStream(ctx, e.js, "order"); err != nil {
		t.Fatal(err)
	}
	var opt *catalogv1.SpaceOption
	for _, o := range ev.space.GetOptions() {
		if o.GetKind() == ev.option {
			opt = o
		}
	}
	d, _ := time.ParseInLocation(time.DateOnly, ev.date, seoul)
	start := d.Add(time.Duration(opt.GetStartHour()) * time.Hour)
	end := d.Add(time.Duration(opt.GetEndHour()) * time.Hour)
	if opt.GetEndHour() <= opt.GetStartHour() {
		end = end.Add(24 * time.Hour)
	}
	data, err := proto.Marshal(&orderv1.BookingSlotChanged{
		BookingId: ev.booking, Number: "BK-TEST", SpaceId: ev.space.GetId(), UserId: "guest", HostId: ev.space.GetHostId(),
		Date: ev.date, Option: ev.option, StartTime: timestamppb.New(start), EndTime: timestamppb.New(end),
	})
	if err != nil {
		t.Fatal(err)
	}
	msg := nats.NewMsg(ev.subject)
	msg.Data = data
	// A fresh message id gets past JetStream's dedupe window: the
	// consumer's inbox, keyed by the event id, is what must catch a copy.
	msg.Header.Set(events.HeaderMsgID, newID())
	msg.Header.Set(events.HeaderEventID, ev.id)
	msg.Header.Set(events.HeaderType, "jangteo.order.v1.BookingSlotChanged")
	if ev.seq > 0 {
		prev, _ := json.Marshal(ev.prev)
		if ev.prev == nil {
			prev = []byte("{}")
		}
		msg.Header.Set(events.HeaderAggregateID, ev.booking)
		msg.Header.Set(events.HeaderAggregateSeq, strconv.FormatInt(ev.seq, 10))
		msg.Header.Set(events.HeaderAggregatePrev, string(prev))
	}
	if _, err := e.js.PublishMsg(ctx, msg); err != nil {
		t.Fatal(err)
	}
}

// book publishes a hold of option on date, as a booking would.
func book(t *testing.T, e env, sp *catalogv1.Space, date, option string) string {
	t.Helper()
	id := newID()
	publishSlot(t, e, slotEvent{id: newID(), subject: "order.booking_held", booking: id, space: sp, date: date, option: option, seq: 1})
	return id
}

// inMonths is the Seoul date months from now on day.
func inMonths(months, day int) (month, date string) {
	m := time.Now().In(seoul).AddDate(0, months, 0).Format("2006-01")
	return m, m + "-" + strconv.Itoa(100 + day)[1:]
}

func TestSpaceSearch(t *testing.T) {
	t.Parallel()
	e := start(t)
	host := as(e.iss.Token(newID(), "customer"))
	a := studio(t, e, host)
	b := must(e.spaces.CreateSpace(host, &catalogv1.CreateSpaceRequest{
		Name: "Gangnam party room", District: "gangnam", Address: "강남대로 1", MinPeople: 10, MaxPeople: 30, Category: "party_room",
		Options: []*catalogv1.SpaceOptionInput{{Kind: "day", Price: krw(120000)}},
	})).GetSpace()
	c := must(e.spaces.CreateSpace(host, &catalogv1.CreateSpaceRequest{
		Name: "Mapo meeting room", District: "mapo", Address: "마포대로 2", MinPeople: 1, MaxPeople: 4, Category: "meeting_room",
		Options: []*catalogv1.SpaceOptionInput{{Kind: "day", Price: krw(30000)}, {Kind: "night", Price: krw(35000)}},
	})).GetSpace()

	search := func(r *catalogv1.ListSpacesRequest) ([]string, int32) {
		t.Helper()
		resp := must(e.spaces.ListSpaces(context.Background(), r))
		var slugs []string
		for _, sp := range resp.GetSpaces() {
			slugs = append(slugs, sp.GetSlug())
		}
		return slugs, resp.GetTotalCount()
	}
	want := func(r *catalogv1.ListSpacesRequest, slugs ...string) {
		t.Helper()
		got, total := search(r)
		if !slices.Equal(got, slugs) || int(total) != len(slugs) {
			t.Fatalf("search %v = %v (total %d), want %v", r, got, total, slugs)
		}
	}
	sa, sb, sc := a.GetSlug(), b.GetSlug(), c.GetSlug()
	want(&catalogv1.ListSpacesRequest{}, sc, sb, sa) // newest first
	want(&catalogv1.ListSpacesRequest{District: "mapo"}, sc, sa)
	want(&catalogv1.ListSpacesRequest{Category: "party_room"}, sb)
	want(&catalogv1.ListSpacesRequest{People: 20}, sb)
	want(&catalogv1.ListSpacesRequest{People: 3, Sort: "price_asc"}, sc, sa)
	want(&catalogv1.ListSpacesRequest{Sort: "price_desc"}, sb, sa, sc) // by the lowest option price
	if got, total := search(&catalogv1.ListSpacesRequest{Sort: "price_asc", PageSize: 1, Page: 2}); !slices.Equal(got, []string{sa}) || total != 3 {
		t.Fatalf("page 2 = %v (total %d)", got, total)
	}

	// Two months ahead, the studio's day and then its night are booked:
	// the projection of the booking events answers "free on date".
	month, date := inMonths(2, 10)
	book(t, e, a, date, "day")
	eventually(t, "the day hold in the projection", func() bool {
		got, _ := search(&catalogv1.ListSpacesRequest{District: "mapo", Date: date, Option: "day"})
		return slices.Equal(got, []string{sc})
	})
	want(&catalogv1.ListSpacesRequest{District: "mapo", Date: date}, sc, sa) // its night is free
	want(&catalogv1.ListSpacesRequest{Date: date, Option: "all_day"})
	book(t, e, a, date, "night")
	eventually(t, "the night hold in the projection", func() bool {
		got, _ := search(&catalogv1.ListSpacesRequest{District: "mapo", Date: date})
		return slices.Equal(got, []string{sc})
	})

	days := must(e.spaces.GetSpaceAvailability(context.Background(), &catalogv1.GetSpaceAvailabilityRequest{Space: sa, Month: month})).GetDays()
	if len(days) < 28 || days[9].GetDate() != date || len(days[9].GetFree()) != 0 || !slices.Equal(days[9].GetTaken(), []string{"day", "night", "all_day"}) ||
		!slices.Equal(days[10].GetFree(), []string{"day", "night", "all_day"}) || !slices.Equal(days[8].GetFree(), []string{"day", "night", "all_day"}) {
		t.Fatalf("availability around %s: %v %v %v", date, days[8], days[9], days[10])
	}

	// Likes: one per user, counted, and sorting by them.
	fan, other := as(e.iss.Token(newID())), as(e.iss.Token(newID()))
	for range 2 {
		if n := must(e.spaces.LikeSpace(fan, &catalogv1.LikeSpaceRequest{Space: sb})).GetLikeCount(); n != 1 {
			t.Fatalf("likes = %d", n)
		}
	}
	must(e.spaces.LikeSpace(other, &catalogv1.LikeSpaceRequest{Space: sb}))
	must(e.spaces.LikeSpace(other, &catalogv1.LikeSpaceRequest{Space: sc}))
	want(&catalogv1.ListSpacesRequest{Sort: "likes"}, sb, sc, sa)
	if sp := must(e.spaces.GetSpace(fan, &catalogv1.GetSpaceRequest{Space: sb})).GetSpace(); !sp.GetLikedByMe() || sp.GetLikeCount() != 2 {
		t.Fatalf("space as its fan: %v", sp)
	}
	for range 2 {
		if n := must(e.spaces.UnlikeSpace(fan, &catalogv1.UnlikeSpaceRequest{Space: sb})).GetLikeCount(); n != 1 {
			t.Fatalf("likes after unlike = %d", n)
		}
	}
	_, err := e.spaces.LikeSpace(context.Background(), &catalogv1.LikeSpaceRequest{Space: sb})
	wantCode(t, err, codes.Unauthenticated, "")

	// Bad input names the field.
	bad := func(r *catalogv1.ListSpacesRequest, field string) {
		t.Helper()
		_, err := e.spaces.ListSpaces(context.Background(), r)
		wantCode(t, err, codes.InvalidArgument, field)
	}
	bad(&catalogv1.ListSpacesRequest{District: "atlantis"}, "district")
	bad(&catalogv1.ListSpacesRequest{Category: "castle"}, "category")
	bad(&catalogv1.ListSpacesRequest{Sort: "cheapest"}, "sort")
	bad(&catalogv1.ListSpacesRequest{Option: "day"}, "date")
	bad(&catalogv1.ListSpacesRequest{Date: "tomorrow"}, "date")
	bad(&catalogv1.ListSpacesRequest{Date: date, Option: "brunch"}, "option")
	bad(&catalogv1.ListSpacesRequest{People: -1}, "people")
	_, err = e.spaces.GetSpaceAvailability(context.Background(), &catalogv1.GetSpaceAvailabilityRequest{Space: sa, Month: "2026-13"})
	wantCode(t, err, codes.InvalidArgument, "month")
	_, err = e.spaces.GetSpaceAvailability(context.Background(), &catalogv1.GetSpaceAvailabilityRequest{Space: "nowhere", Month: month})
	wantCode(t, err, codes.NotFound, "")
	_, err = e.spaces.LikeSpace(fan, &catalogv1.LikeSpaceRequest{Space: "nowhere"})
	wantCode(t, err, codes.NotFound, "")

	// Spaces are products of kind space, never in the public product list.
	if got := must(e.client.ListProducts(context.Background(), &catalogv1.ListProductsRequest{})); got.GetTotalCount() != 0 {
		t.Fatalf("products = %v", got.GetProducts())
	}
	_, err = e.client.GetProduct(context.Background(), &catalogv1.GetProductRequest{Slug: sa})
	wantCode(t, err, codes.NotFound, "")
}

func TestSpaceValidationAndEdit(t *testing.T) {
	t.Parallel()
	e := start(t)
	host := as(e.iss.Token(newID()))
	_, err := e.spaces.CreateSpace(host, &catalogv1.CreateSpaceRequest{
		Name: "Loft", District: "atlantis", Address: "somewhere", MinPeople: 5, MaxPeople: 2, Category: "studio",
		Facilities: []string{"wifi", "jacuzzi"}, Latitude: ptr(37.5),
		Options: []*catalogv1.SpaceOptionInput{{Kind: "day", Price: krw(1000)}},
	})
	for _, f := range []string{"district", "max_people", "facilities[1]", "longitude"} {
		wantCode(t, err, codes.InvalidArgument, f)
	}
	_, err = e.spaces.CreateSpace(host, &catalogv1.CreateSpaceRequest{
		Name: "Loft", District: "jongno", Address: "종로 1", MinPeople: 1, MaxPeople: 2, Category: "studio",
		Options: []*catalogv1.SpaceOptionInput{{Kind: "day", Price: krw(1000)}, {Kind: "night", Price: krw(1000), StartHour: ptr(int32(17))}},
	})
	wantCode(t, err, codes.InvalidArgument, "options")
	_, err = e.spaces.CreateSpace(context.Background(), &catalogv1.CreateSpaceRequest{Name: "x"})
	wantCode(t, err, codes.Unauthenticated, "")

	sp := studio(t, e, host)
	if o := sp.GetOptions(); len(o) != 3 || o[0].GetStartHour() != 9 || o[0].GetEndHour() != 18 || o[1].GetStartHour() != 19 ||
		o[1].GetEndHour() != 8 || o[2].GetStartHour() != 9 || o[2].GetEndHour() != 8 {
		t.Fatalf("default hours: %v", o)
	}
	_, err = e.spaces.UpdateSpace(as(e.iss.Token(newID())), &catalogv1.UpdateSpaceRequest{Space: sp.GetSlug(), Name: ptr("Mine now")})
	wantCode(t, err, codes.PermissionDenied, "")
	_, err = e.spaces.UpdateSpace(host, &catalogv1.UpdateSpaceRequest{Space: sp.GetSlug(), MaxPeople: ptr(int32(1))})
	wantCode(t, err, codes.InvalidArgument, "max_people")
	got := must(e.spaces.UpdateSpace(host, &catalogv1.UpdateSpaceRequest{
		Space: sp.GetSlug(), Name: ptr("Hapjeong studio B"), MaxPeople: ptr(int32(12)), Facilities: []string{"wifi", "projector"},
		Latitude: ptr(37.549), Longitude: ptr(126.913),
		Options: []*catalogv1.SpaceOptionInput{{Kind: "day", Price: krw(55000), StartHour: ptr(int32(10)), EndHour: ptr(int32(20))}},
	})).GetSpace()
	if got.GetName() != "Hapjeong studio B" || got.GetMaxPeople() != 12 || got.GetMinPeople() != 2 || len(got.GetOptions()) != 1 ||
		got.GetOptions()[0].GetPrice().GetAmount() != 55000 || got.GetOptions()[0].GetEndHour() != 20 ||
		!slices.Equal(got.GetFacilities(), []string{"wifi", "projector"}) || got.GetLatitude() != 37.549 || got.GetLongitude() != 126.913 {
		t.Fatalf("edited = %v", got)
	}
	staffEdit := must(e.spaces.UpdateSpace(as(e.iss.Token("staff-1", "staff")), &catalogv1.UpdateSpaceRequest{Space: sp.GetId(), District: ptr("jongno")})).GetSpace()
	if staffEdit.GetDistrict() != "jongno" || staffEdit.GetName() != "Hapjeong studio B" {
		t.Fatalf("staff edit = %v", staffEdit)
	}
}

func TestSpaceImages(t *testing.T) {
	t.Parallel()
	e := start(t)
	hostID := newID()
	host := as(e.iss.Token(hostID))
	sp := studio(t, e, host)
	var pics [][]byte
	for i := range 2 {
		var buf bytes.Buffer
		if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 1+i, 1))); err != nil {
			t.Fatal(err)
		}
		pics = append(pics, buf.Bytes())
	}
	first := must(e.spaces.UploadSpaceImage(host, &catalogv1.UploadSpaceImageRequest{Space: sp.GetSlug(), ContentType: "image/png", Data: pics[0]}))
	second := must(e.spaces.UploadSpaceImage(as(e.iss.Token("staff-1", "staff")), &catalogv1.UploadSpaceImageRequest{
		Space: sp.GetId(), ContentType: "image/png", Data: pics[1],
	}))
	if urls := second.GetSpace().GetImageUrls(); len(urls) != 2 || urls[0] != first.GetUrl() || urls[1] != second.GetUrl() {
		t.Fatalf("image_urls = %v", urls)
	}
	if got := must(e.spaces.GetSpace(context.Background(), &catalogv1.GetSpaceRequest{Space: sp.GetSlug()})).GetSpace(); len(got.GetImageUrls()) != 2 {
		t.Fatalf("space pictures = %v", got.GetImageUrls())
	}
	_, err := e.spaces.UploadSpaceImage(as(e.iss.Token(newID())), &catalogv1.UploadSpaceImageRequest{Space: sp.GetSlug(), ContentType: "image/png", Data: pics[0]})
	wantCode(t, err, codes.PermissionDenied, "")
	_, err = e.spaces.UploadSpaceImage(host, &catalogv1.UploadSpaceImageRequest{Space: sp.GetSlug(), ContentType: "image/png", Data: []byte("not a picture")})
	wantCode(t, err, codes.InvalidArgument, "data")
}

func TestBookableSpaceIsInternal(t *testing.T) {
	t.Parallel()
	e := start(t)
	sp := studio(t, e, as(e.iss.Token(newID())))
	_, date := inMonths(1, 3)
	req := &catalogv1.GetBookableSpaceRequest{Space: sp.GetSlug(), Date: date, Option: "night"}
	_, err := e.spaces.GetBookableSpace(as(e.iss.Token(newID())), req)
	wantCode(t, err, codes.PermissionDenied, "")
	got := must(e.spaces.GetBookableSpace(internal(e), req))
	if got.GetId() != sp.GetId() || got.GetHostId() != sp.GetHostId() || got.GetContactEmail() != "host@example.com" ||
		got.GetOption().GetPrice().GetAmount() != 40000 || got.GetEndTime().AsTime().Sub(got.GetStartTime().AsTime()) != 13*time.Hour ||
		got.GetStartTime().AsTime().In(seoul).Format("2006-01-02 15") != date+" 19" {
		t.Fatalf("bookable = %v", got)
	}
	_, err = e.spaces.GetBookableSpace(internal(e), &catalogv1.GetBookableSpaceRequest{Space: sp.GetSlug(), Date: date, Option: "brunch"})
	wantCode(t, err, codes.InvalidArgument, "option")
	_, err = e.spaces.GetBookableSpace(internal(e), &catalogv1.GetBookableSpaceRequest{Space: sp.GetSlug(), Date: "soon", Option: "day"})
	wantCode(t, err, codes.InvalidArgument, "date")
	_, err = e.spaces.GetBookableSpace(internal(e), &catalogv1.GetBookableSpaceRequest{Space: uuid.NewString()})
	wantCode(t, err, codes.NotFound, "")
}

// The projection applies each booking event once however often it comes,
// one booking's events in order, and never takes a released slot back.
func TestAvailabilityProjectionRedeliveryAndOrder(t *testing.T) {
	t.Parallel()
	e := start(t)
	sp := studio(t, e, as(e.iss.Token(newID())))
	month, date := inMonths(1, 12)
	free := func(option string) bool {
		t.Helper()
		days := must(e.spaces.GetSpaceAvailability(context.Background(), &catalogv1.GetSpaceAvailabilityRequest{Space: sp.GetSlug(), Month: month})).GetDays()
		return slices.Contains(days[11].GetFree(), option)
	}
	settled := func(n int) {
		t.Helper()
		eventually(t, "events applied", func() bool {
			var got int
			_ = e.svc.Pool().QueryRow(context.Background(), `SELECT count(*) FROM inbox WHERE consumer = 'catalog-booking-slots'`).Scan(&got)
			return got == n
		})
	}

	// A hold, delivered twice (one event id), then released: free again.
	held := slotEvent{id: newID(), subject: "order.booking_held", booking: newID(), space: sp, date: date, option: "day", seq: 1}
	publishSlot(t, e, held)
	publishSlot(t, e, held)
	settled(1)
	if free("day") || free("all_day") || !free("night") {
		t.Fatal("the held day does not take day and all day")
	}
	released := held
	released.id, released.subject, released.seq, released.prev = newID(), "order.booking_released", 2, map[string]int64{"order.booking_held": 1}
	publishSlot(t, e, released)
	settled(2)
	if !free("day") || !free("all_day") {
		t.Fatal("the released day is still taken")
	}
	// The hold redelivered after its release is a duplicate: the slot stays free.
	publishSlot(t, e, held)
	settled(2)
	if !free("day") {
		t.Fatal("a redelivered hold took the released slot again")
	}

	// Out of order: the confirmation (seq 2) arrives before its hold (seq 1)
	// and waits for it; both apply, and the night is taken.
	night := newID()
	publishSlot(t, e, slotEvent{id: newID(), subject: "order.booking_confirmed", booking: night, space: sp, date: date, option: "night", seq: 2,
		prev: map[string]int64{"order.booking_held": 1}})
	time.Sleep(300 * time.Millisecond)
	if !free("night") {
		t.Fatal("a confirmation applied before its hold")
	}
	publishSlot(t, e, slotEvent{id: newID(), subject: "order.booking_held", booking: night, space: sp, date: date, option: "night", seq: 1})
	settled(4)
	if free("night") {
		t.Fatal("the confirmed night is free")
	}
	var state string
	if err := e.svc.Pool().QueryRow(context.Background(), `SELECT state FROM booked_slots WHERE booking_id = $1`, night).Scan(&state); err != nil || state != "confirmed" {
		t.Fatalf("night state = %q (%v)", state, err)
	}

	// A release that overtakes its hold (no aggregate order) still wins.
	late := newID()
	publishSlot(t, e, slotEvent{id: newID(), subject: "order.booking_released", booking: late, space: sp, date: date, option: "all_day"})
	settled(5)
	publishSlot(t, e, slotEvent{id: newID(), subject: "order.booking_held", booking: late, space: sp, date: date, option: "all_day"})
	settled(6)
	if !free("day") {
		t.Fatal("a hold older than its release took the slot")
	}
}
