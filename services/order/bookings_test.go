package order_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
	orderv1 "github.com/jangteo/jangteo/gen/go/jangteo/order/v1"
	"github.com/jangteo/jangteo/services/order"
)

// space lists a studio in Mapo for 2–8 people, rented by day (₩50,000),
// night (₩40,000) and all day (₩80,000) at the default hours.
func (e *env) space(t *testing.T, host buyer) *catalogv1.Space {
	t.Helper()
	return must(e.spaces.CreateSpace(host.ctx, &catalogv1.CreateSpaceRequest{
		Name: "Hapjeong studio", District: "mapo", Address: "서울특별시 마포구 양화로 45", MinPeople: 2, MaxPeople: 8,
		Category: "studio", Facilities: []string{"wifi", "lighting"}, ContactEmail: "host@example.com",
		Options: []*catalogv1.SpaceOptionInput{
			{Kind: "day", Price: krw(50000)}, {Kind: "night", Price: krw(40000)}, {Kind: "all_day", Price: krw(80000)},
		},
	})).GetSpace()
}

// inDays is the Seoul date n days from now.
func inDays(n int) string {
	seoul, _ := time.LoadLocation("Asia/Seoul")
	return time.Now().In(seoul).AddDate(0, 0, n).Format(time.DateOnly)
}

func (e *env) book(ctx context.Context, space, date, option string) (*orderv1.Booking, error) {
	resp, err := e.bookings.CreateBooking(withKey(ctx, uuid.NewString()), &orderv1.CreateBookingRequest{
		Space: space, Date: date, Option: option, People: 4, Note: "촬영", Email: "guest@example.com",
	})
	return resp.GetBooking(), err
}

func (e *env) booking(t *testing.T, b buyer, id string) *orderv1.Booking {
	t.Helper()
	return must(e.bookings.GetBooking(b.ctx, &orderv1.GetBookingRequest{Id: id})).GetBooking()
}

func TestBookingHoldsASlot(t *testing.T) {
	t.Parallel()
	e := start(t, options{})
	sp := e.space(t, e.newBuyer())
	if sp.GetSlug() == "" || len(sp.GetOptions()) != 3 || sp.GetOptions()[1].GetStartHour() != 19 || sp.GetOptions()[1].GetEndHour() != 8 {
		t.Fatalf("space = %v", sp)
	}

	guest := e.newBuyer()
	date := inDays(30)
	b := must(e.book(guest.ctx, sp.GetSlug(), date, "night"))
	if b.GetStatus() != "pending_payment" || b.GetPrice().GetAmount() != 40000 || b.GetDate() != date || !strings.HasPrefix(b.GetNumber(), "BK-") ||
		b.GetSpaceId() != sp.GetId() || b.GetSpaceSlug() != sp.GetSlug() || b.GetSpaceName() != sp.GetName() || b.GetHostId() != sp.GetHostId() {
		t.Fatalf("booking = %v", b)
	}
	if d := b.GetEndTime().AsTime().Sub(b.GetStartTime().AsTime()); d != 13*time.Hour {
		t.Fatalf("night lasts %s, want 13h (19–08)", d)
	}
	if got := b.GetStartTime().AsTime().UTC().Format(time.RFC3339); got != date+"T10:00:00Z" {
		t.Fatalf("night starts %s, want 19:00 in Seoul", got)
	}
	if hold := b.GetHoldUntil().AsTime().Sub(b.GetCreateTime().AsTime()); hold != e.cfg.BookingHold {
		t.Fatalf("hold = %s", hold)
	}
	// By id too, and nobody else sees it.
	must(e.book(guest.ctx, sp.GetId(), date, "day"))
	if got := e.booking(t, guest, b.GetId()); got.GetNumber() != b.GetNumber() {
		t.Fatalf("GetBooking = %v", got)
	}
	list := must(e.bookings.ListMyBookings(guest.ctx, &orderv1.ListMyBookingsRequest{}))
	if list.GetTotalCount() != 2 || len(list.GetBookings()) != 2 || list.GetBookings()[1].GetId() != b.GetId() {
		t.Fatalf("ListMyBookings = %v", list)
	}
	other := e.newBuyer()
	_, err := e.bookings.GetBooking(other.ctx, &orderv1.GetBookingRequest{Id: b.GetId()})
	wantCode(t, err, codes.NotFound, "BOOKING_NOT_FOUND")
	_, err = e.bookings.CancelBooking(other.ctx, &orderv1.CancelBookingRequest{Id: b.GetId()})
	wantCode(t, err, codes.NotFound, "BOOKING_NOT_FOUND")
	_, err = e.book(guest.ctx, "no-such-space", date, "day")
	wantCode(t, err, codes.NotFound, "SPACE_NOT_FOUND")
}

// wantField fails unless err is a 400 naming field.
func wantField(t *testing.T, err error, field string) {
	t.Helper()
	st := wantCode(t, err, codes.InvalidArgument, "")
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, v := range br.GetFieldViolations() {
				if v.GetField() == field {
					return
				}
			}
		}
	}
	t.Fatalf("%v does not name %s", err, field)
}

func TestBookingRefusesBadInput(t *testing.T) {
	t.Parallel()
	e := start(t, options{})
	sp := e.space(t, e.newBuyer())
	g := e.newBuyer()
	book := func(date, option string, people int32) error {
		_, err := e.bookings.CreateBooking(withKey(g.ctx, uuid.NewString()), &orderv1.CreateBookingRequest{
			Space: sp.GetSlug(), Date: date, Option: option, People: people, Email: "guest@example.com",
		})
		return err
	}
	wantField(t, book(inDays(3), "day", 1), "people")
	wantField(t, book(inDays(3), "day", 9), "people")
	wantField(t, book(inDays(3), "brunch", 4), "option")
	wantField(t, book(inDays(-1), "day", 4), "date")
	wantField(t, book("2026-13-01", "day", 4), "date")
	_, err := e.bookings.CreateBooking(withKey(g.ctx, uuid.NewString()), &orderv1.CreateBookingRequest{
		Space: sp.GetSlug(), Date: inDays(3), Option: "day", People: 4, Email: "not an address",
	})
	wantField(t, err, "email")
}

func ptr[T any](v T) *T { return &v }

// race books option of the space on date by n guests at once and returns
// how many won and how many found the slot taken.
func (e *env) race(t *testing.T, space, date string, options ...string) (won map[string]int, taken int) {
	t.Helper()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		other []error
	)
	won = map[string]int{}
	for _, option := range options {
		g := e.newBuyer()
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.book(g.ctx, space, date, option)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				won[option]++
			case status.Code(err) == codes.AlreadyExists:
				taken++
			default:
				other = append(other, err)
			}
		}()
	}
	wg.Wait()
	if len(other) > 0 {
		t.Fatalf("unexpected errors: %v", other)
	}
	return won, taken
}

func TestNoDoubleBooking(t *testing.T) {
	t.Parallel()
	e := start(t, options{})
	sp := e.space(t, e.newBuyer())

	// 200 guests, one slot: exactly one booking.
	many := make([]string, 200)
	for i := range many {
		many[i] = "day"
	}
	won, taken := e.race(t, sp.GetSlug(), inDays(10), many...)
	if won["day"] != 1 || taken != 199 {
		t.Fatalf("won %v, taken %d; want 1 and 199", won, taken)
	}

	// Day and night at once: both.
	if won, taken := e.race(t, sp.GetSlug(), inDays(11), "day", "night"); won["day"] != 1 || won["night"] != 1 || taken != 0 {
		t.Fatalf("day and night: won %v, taken %d", won, taken)
	}
	// All day racing day: exactly one; and all day after night on the same date clashes too.
	if won, taken := e.race(t, sp.GetSlug(), inDays(12), "all_day", "day", "all_day", "day"); won["day"]+won["all_day"] != 1 || taken != 3 {
		t.Fatalf("all day and day: won %v, taken %d", won, taken)
	}
	_, err := e.book(e.newBuyer().ctx, sp.GetSlug(), inDays(11), "all_day")
	wantCode(t, err, codes.AlreadyExists, "SLOT_TAKEN")
	// The night of the day before ends at 08:00, before the day's 09:00.
	must(e.book(e.newBuyer().ctx, sp.GetSlug(), inDays(9), "night"))
	if _, err := e.book(e.newBuyer().ctx, sp.GetSlug(), inDays(9), "all_day"); status.Code(err) != codes.AlreadyExists {
		t.Fatalf("all day over a booked night: %v", err)
	}
}

func TestExpiredHoldFreesTheSlot(t *testing.T) {
	t.Parallel()
	e := start(t, options{configure: func(c *order.Config) { c.BookingHold = time.Second }})
	sp := e.space(t, e.newBuyer())
	g := e.newBuyer()
	b := must(e.book(g.ctx, sp.GetSlug(), inDays(5), "all_day"))
	_, err := e.book(e.newBuyer().ctx, sp.GetSlug(), inDays(5), "day")
	wantCode(t, err, codes.AlreadyExists, "SLOT_TAKEN")

	// The scheduled timer expires it; then the slot is free.
	// River's scheduler runs on its elected leader, which can take a few
	// seconds to settle on a busy machine: wait longer than eventually does.
	for deadline := time.Now().Add(60 * time.Second); e.booking(t, g, b.GetId()).GetStatus() != "expired"; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the hold did not expire")
		}
	}
	if _, err := e.book(e.newBuyer().ctx, sp.GetSlug(), inDays(5), "day"); err != nil {
		t.Fatalf("booking the freed slot: %v", err)
	}
	// An expired booking cannot be paid; running the timer again changes nothing.
	_, err = e.bookings.PayBooking(withKey(g.ctx, "k"), &orderv1.PayBookingRequest{Id: b.GetId(), Provider: "sandbox",
		ReturnUrl: "https://shop.example/r", CancelUrl: "https://shop.example/c"})
	wantCode(t, err, codes.AlreadyExists, "BOOKING_NOT_PAYABLE")
	if again, err := e.svc.Bookings().Expire(context.Background(), b.GetId()); again || err != nil {
		t.Fatalf("second expiry: %v, %v", again, err)
	}
}

func (e *env) payBooking(t *testing.T, g buyer, id string) string {
	t.Helper()
	p := must(e.bookings.PayBooking(withKey(g.ctx, uuid.NewString()), &orderv1.PayBookingRequest{Id: id, Provider: "sandbox",
		ReturnUrl: "https://shop.example/r", CancelUrl: "https://shop.example/c"})).GetPayment()
	e.approve(t, p.GetId())
	eventually(t, "booking confirmed", func() bool { return e.booking(t, g, id).GetStatus() == "confirmed" })
	return p.GetId()
}

func TestBookingPaymentAndCancel(t *testing.T) {
	t.Parallel()
	e := start(t, options{})
	host := e.newBuyer()
	sp := e.space(t, host)

	// Paid and confirmed; cancelled long before: a full refund, and the slot is free.
	g := e.newBuyer()
	b := must(e.book(g.ctx, sp.GetSlug(), inDays(20), "day"))
	pid := e.payBooking(t, g, b.GetId())
	if got := e.booking(t, g, b.GetId()); got.GetPaymentId() != pid {
		t.Fatalf("payment_id = %q, want %q", got.GetPaymentId(), pid)
	}
	c := must(e.bookings.CancelBooking(g.ctx, &orderv1.CancelBookingRequest{Id: b.GetId(), Reason: "plans changed"})).GetBooking()
	if c.GetStatus() != "cancelled" || c.GetRefunded().GetAmount() != 50000 {
		t.Fatalf("cancelled = %v", c)
	}
	if p := e.paymentStatus(t, g, pid); p.GetRefundedAmount() != 50000 {
		t.Fatalf("payment refunded %d", p.GetRefundedAmount())
	}
	_, err := e.bookings.CancelBooking(g.ctx, &orderv1.CancelBookingRequest{Id: b.GetId()})
	wantCode(t, err, codes.AlreadyExists, "BOOKING_STATE_CONFLICT")
	must(e.book(e.newBuyer().ctx, sp.GetSlug(), inDays(20), "day"))

	// Cancelled by the guest the day before: the late share (50 %).
	late := must(e.book(g.ctx, sp.GetSlug(), inDays(1), "night"))
	latePay := e.payBooking(t, g, late.GetId())
	c = must(e.bookings.CancelBooking(g.ctx, &orderv1.CancelBookingRequest{Id: late.GetId()})).GetBooking()
	if c.GetRefunded().GetAmount() != 20000 || e.paymentStatus(t, g, latePay).GetRefundedAmount() != 20000 {
		t.Fatalf("late cancel refunded %v", c.GetRefunded())
	}

	// Cancelled by the host the day before: everything back.
	hosted := must(e.book(g.ctx, sp.GetSlug(), inDays(1), "day"))
	hostedPay := e.payBooking(t, g, hosted.GetId())
	c = must(e.bookings.CancelBooking(host.ctx, &orderv1.CancelBookingRequest{Id: hosted.GetId()})).GetBooking()
	if c.GetRefunded().GetAmount() != 50000 || e.paymentStatus(t, g, hostedPay).GetRefundedAmount() != 50000 {
		t.Fatalf("host cancel refunded %v", c.GetRefunded())
	}

	// An unpaid booking cancels with nothing to refund. Orders ignore booking payments.
	unpaid := must(e.book(g.ctx, sp.GetSlug(), inDays(2), "all_day"))
	if c := must(e.bookings.CancelBooking(g.ctx, &orderv1.CancelBookingRequest{Id: unpaid.GetId()})).GetBooking(); c.GetStatus() != "cancelled" || c.GetRefunded().GetAmount() != 0 {
		t.Fatalf("unpaid cancel = %v", c)
	}
	eventually(t, "order consumer skipped booking payments", func() bool { return e.consumed(t, "order-payment-approved") == 3 })
	// Guest and host hear of the 3 confirmations and 4 cancellations.
	eventually(t, "booking mail", func() bool { return len(e.mails("guest@example.com")) == 7 && len(e.mails("host@example.com")) == 7 })
	kinds := map[string]int{}
	for _, m := range e.mails("host@example.com") {
		if strings.Contains(m.Text, "Hapjeong studio") {
			kinds[strings.Fields(m.Subject)[4]]++ // "예약 확정 · Booking confirmed BK-…"
		}
	}
	if kinds["confirmed"] != 3 || kinds["cancelled"] != 4 {
		t.Fatalf("host mail by kind: %v", kinds)
	}
}

// A payment approved after the hold expired is refunded in full.
func TestLateBookingPaymentIsRefunded(t *testing.T) {
	t.Parallel()
	e := start(t, options{})
	sp := e.space(t, e.newBuyer())
	g := e.newBuyer()
	b := must(e.book(g.ctx, sp.GetSlug(), inDays(7), "day"))
	p := must(e.bookings.PayBooking(withKey(g.ctx, uuid.NewString()), &orderv1.PayBookingRequest{Id: b.GetId(), Provider: "sandbox",
		ReturnUrl: "https://shop.example/r", CancelUrl: "https://shop.example/c"})).GetPayment()
	if _, err := e.db.Exec(context.Background(), `UPDATE bookings SET hold_until = now() WHERE id = $1`, b.GetId()); err != nil {
		t.Fatal(err)
	}
	if ok, err := e.svc.Bookings().Expire(context.Background(), b.GetId()); !ok || err != nil {
		t.Fatalf("expire: %v, %v", ok, err)
	}
	e.approve(t, p.GetId())
	eventually(t, "late payment refunded", func() bool { return e.paymentStatus(t, g, p.GetId()).GetRefundedAmount() == 50000 })
	if got := e.booking(t, g, b.GetId()); got.GetStatus() != "expired" {
		t.Fatalf("status = %s", got.GetStatus())
	}
}

func TestDemoBookings(t *testing.T) {
	t.Parallel()
	e := start(t, options{})
	if err := e.catSvc.SeedDemo(context.Background()); err != nil {
		t.Fatal(err)
	}
	for range 2 { // the second run leaves the data alone
		if err := e.svc.SeedDemoBookings(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	var n int
	if err := e.db.QueryRow(context.Background(), `SELECT count(*) FROM bookings WHERE status = 'confirmed'`).Scan(&n); err != nil || n != 7 {
		t.Fatalf("demo bookings %d (%v)", n, err)
	}
	all := must(e.spaces.ListSpaces(context.Background(), &catalogv1.ListSpacesRequest{}))
	mapo := must(e.spaces.ListSpaces(context.Background(), &catalogv1.ListSpacesRequest{District: "mapo"}))
	if all.GetTotalCount() < 12 || mapo.GetTotalCount() != 4 || len(all.GetSpaces()[0].GetImageUrls()) == 0 {
		t.Fatalf("spaces %d, in Mapo %d", all.GetTotalCount(), mapo.GetTotalCount())
	}
	// The catalog's projection of the booking events: tomorrow, one Mapo space is fully booked.
	eventually(t, "demo bookings in the catalog's availability", func() bool {
		free := must(e.spaces.ListSpaces(context.Background(), &catalogv1.ListSpacesRequest{District: "mapo", Date: inDays(1)}))
		return free.GetTotalCount() == 3
	})
}

func TestBookingEventsCompletionAndHostList(t *testing.T) {
	t.Parallel()
	e := start(t, options{})
	host, guest := e.newBuyer(), e.newBuyer()
	sp, other := e.space(t, host), e.space(t, e.newBuyer())

	b := must(e.book(guest.ctx, sp.GetSlug(), inDays(8), "day"))
	e.payBooking(t, guest, b.GetId())
	var at time.Time
	if err := e.db.QueryRow(context.Background(), `SELECT scheduled_at FROM river_job WHERE kind = 'booking.complete' AND args->>'booking_id' = $1`,
		b.GetId()).Scan(&at); err != nil || !at.Equal(b.GetEndTime().AsTime()) {
		t.Fatalf("completion job at %s (%v), want the slot's end %s", at, err, b.GetEndTime().AsTime())
	}
	// Once the slot is over the job completes it; a second run changes nothing.
	if ok, err := e.svc.Bookings().Complete(context.Background(), b.GetId()); ok || err != nil {
		t.Fatalf("completed before the slot ended: %v, %v", ok, err)
	}
	if _, err := e.db.Exec(context.Background(), `UPDATE bookings SET slot = tstzrange(now() - interval '10 hours', now() - interval '1 hour') WHERE id = $1`, b.GetId()); err != nil {
		t.Fatal(err)
	}
	for i, want := range []bool{true, false} {
		if ok, err := e.svc.Bookings().Complete(context.Background(), b.GetId()); ok != want || err != nil {
			t.Fatalf("complete #%d: %v, %v", i+1, ok, err)
		}
	}
	if got := e.booking(t, guest, b.GetId()); got.GetStatus() != "completed" {
		t.Fatalf("status = %s", got.GetStatus())
	}

	c := must(e.book(guest.ctx, sp.GetSlug(), inDays(9), "night"))
	must(e.bookings.CancelBooking(guest.ctx, &orderv1.CancelBookingRequest{Id: c.GetId()}))
	must(e.book(guest.ctx, other.GetSlug(), inDays(9), "night"))
	eventually(t, "booking events", func() bool {
		return e.published(t, "order", "order.booking_held") == 3 && e.published(t, "order", "order.booking_confirmed") == 1 &&
			e.published(t, "order", "order.booking_released") == 1
	})

	// The host sees their space's bookings; others do not.
	hosted := must(e.bookings.ListHostedBookings(host.ctx, &orderv1.ListHostedBookingsRequest{}))
	if hosted.GetTotalCount() != 2 || hosted.GetBookings()[0].GetId() != c.GetId() {
		t.Fatalf("hosted = %v", hosted)
	}
	if l := must(e.bookings.ListHostedBookings(host.ctx, &orderv1.ListHostedBookingsRequest{Space: sp.GetSlug(), PageSize: 1})); l.GetTotalCount() != 2 || len(l.GetBookings()) != 1 {
		t.Fatalf("hosted of one space = %v", l)
	}
	if l := must(e.bookings.ListHostedBookings(guest.ctx, &orderv1.ListHostedBookingsRequest{})); l.GetTotalCount() != 0 {
		t.Fatalf("a guest hosts %v", l)
	}
	_, err := e.bookings.ListHostedBookings(guest.ctx, &orderv1.ListHostedBookingsRequest{Space: sp.GetSlug()})
	wantCode(t, err, codes.PermissionDenied, "NOT_SPACE_HOST")
	if l := must(e.bookings.ListHostedBookings(e.staff(), &orderv1.ListHostedBookingsRequest{})); l.GetTotalCount() != 3 {
		t.Fatalf("staff see %d bookings", l.GetTotalCount())
	}
	// The host cancels a booking of their space (nothing paid: nothing refunded).
	d := must(e.book(guest.ctx, sp.GetSlug(), inDays(10), "all_day"))
	if got := must(e.bookings.CancelBooking(host.ctx, &orderv1.CancelBookingRequest{Id: d.GetId()})).GetBooking(); got.GetStatus() != "cancelled" {
		t.Fatalf("host cancel = %v", got)
	}
}

// Booking runs outside the key's transaction: a retry whose first run
// committed but whose answer was never recorded finds its booking by the id
// derived from the key; the same key for another request is refused.
func TestBookingRetriedAfterItsRecordWasLost(t *testing.T) {
	t.Parallel()
	e := start(t, options{})
	sp := e.space(t, e.newBuyer())
	g := e.newBuyer()
	key := uuid.NewString()
	req := &orderv1.CreateBookingRequest{Space: sp.GetSlug(), Date: inDays(20), Option: "day", People: 4, Note: "촬영", Email: "guest@example.com"}
	first := must(e.bookings.CreateBooking(withKey(g.ctx, key), req)).GetBooking()
	e.loseRecord(t, key)
	again := must(e.bookings.CreateBooking(withKey(g.ctx, key), req)).GetBooking()
	if again.GetId() != first.GetId() || again.GetNumber() != first.GetNumber() {
		t.Fatalf("the retry booked %v, the first run %v", again, first)
	}
	var n int
	if err := e.db.QueryRow(context.Background(), `SELECT count(*) FROM bookings`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d bookings (%v), want 1", n, err)
	}
	e.loseRecord(t, key)
	other := proto.Clone(req).(*orderv1.CreateBookingRequest)
	other.People = 5
	_, err := e.bookings.CreateBooking(withKey(g.ctx, key), other)
	wantCode(t, err, codes.FailedPrecondition, "IDEMPOTENCY_KEY_REUSED")
}
