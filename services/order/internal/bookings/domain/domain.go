// Package domain holds the rules of bookings of spaces: a request, the
// booking of one slot (its price and time range as the catalog's space had
// them), and its life from the hold to completion.
package domain

import (
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/jangteo/jangteo/platform/errs"
	"github.com/jangteo/jangteo/platform/mail"
	orderdomain "github.com/jangteo/jangteo/services/order/internal/domain"
)

// Seoul is where every space is: a booking's date is a Seoul date (Korea
// keeps UTC+9 all year). The catalog computes the slot's hours.
var Seoul = time.FixedZone("KST", 9*60*60)

// Option is a way of renting a space on a date: "day", "night" or "all_day".
type Option string

// Known reports whether o is one of the options.
func (o Option) Known() bool { return o == "day" || o == "night" || o == "all_day" }

// Space is what a booking keeps of its space and of the asked option, as
// the catalog had them when it was booked.
type Space struct {
	ID, Slug, Name       string
	HostID, ContactEmail string
	MinPeople, MaxPeople int
	Currency             string
	Price                int64     // the option's
	Start, End           time.Time // the option's slot on the date
}

// Status is where a booking is in its life.
type Status string

// Booking statuses. Cancelled and expired bookings no longer hold their slot.
const (
	StatusPendingPayment Status = "pending_payment"
	StatusConfirmed      Status = "confirmed"
	StatusCompleted      Status = "completed"
	StatusCancelled      Status = "cancelled"
	StatusExpired        Status = "expired"
)

// Booking is a guest's booking of one slot of a space.
type Booking struct {
	ID, Number           string
	SpaceID, SpaceName   string
	SpaceSlug, HostEmail string // the space's slug and its host's contact address when booked
	HostID, UserID       string
	Date                 time.Time // a Seoul date at midnight
	Option               Option
	People               int
	Note, Email          string
	Start, End           time.Time
	Status               Status
	Currency             string
	Price, Refunded      int64
	HoldUntil            time.Time
	PaymentID            string
	CreatedAt, UpdatedAt time.Time
}

// Request is what a guest asks for.
type Request struct {
	Space  string // slug or id
	Date   string // YYYY-MM-DD
	Option string
	People int
	Note   string
	Email  string
}

// CheckRequest checks what a request says on its own, before its space is
// read: the date (a date, not in the past), the option and the email.
func CheckRequest(r Request, now time.Time) error {
	var v []errs.FieldViolation
	_, err := time.ParseInLocation(time.DateOnly, r.Date, Seoul)
	switch {
	case err != nil:
		v = append(v, errs.Field("date", fmt.Sprintf("%q is not a date (YYYY-MM-DD)", r.Date)))
	case r.Date < now.In(Seoul).Format(time.DateOnly):
		v = append(v, errs.Field("date", fmt.Sprintf("%s is in the past", r.Date)))
	}
	if !Option(r.Option).Known() {
		v = append(v, errs.Field("option", fmt.Sprintf("%q is not day, night or all_day", r.Option)))
	}
	if !mail.IsAddress(r.Email) {
		v = append(v, errs.Field("email", "a valid email address is required"))
	}
	if len(v) > 0 {
		return errs.InvalidFields(v...)
	}
	return nil
}

// NewBooking checks a checked request r against its space (as the catalog
// gave it, with the option's price and slot) and the clock, and returns the
// held booking.
func NewBooking(s Space, r Request, userID string, now time.Time, hold time.Duration) (Booking, error) {
	if r.People < s.MinPeople || r.People > s.MaxPeople {
		return Booking{}, errs.InvalidFields(errs.Field("people", fmt.Sprintf("%s takes %d to %d people", s.Name, s.MinPeople, s.MaxPeople)))
	}
	if !s.Start.After(now) {
		return Booking{}, errs.InvalidFields(errs.Field("date", fmt.Sprintf("the %s slot of %s has already begun", r.Option, r.Date)))
	}
	date, _ := time.ParseInLocation(time.DateOnly, r.Date, Seoul)
	return Booking{
		ID: uuid.Must(uuid.NewV7()).String(), Number: NewNumber(now), SpaceID: s.ID, SpaceName: s.Name, SpaceSlug: s.Slug,
		HostID: s.HostID, HostEmail: s.ContactEmail, UserID: userID, Date: date, Option: Option(r.Option), People: r.People,
		Note: strings.TrimSpace(r.Note), Email: r.Email, Start: s.Start, End: s.End, Status: StatusPendingPayment,
		Currency: s.Currency, Price: s.Price, HoldUntil: now.Add(hold), CreatedAt: now, UpdatedAt: now,
	}, nil
}

// Payable reports whether the booking can be paid at now.
func (b Booking) Payable(now time.Time) bool {
	return b.Status == StatusPendingPayment && now.Before(b.HoldUntil)
}

// CancelPolicy is how much a guest gets back for cancelling a confirmed booking.
type CancelPolicy struct {
	FreeDays       int // full refund until this many days before the date
	LateRefundRate int // percent refunded after that
}

// Refund is what cancelling b at now gives back: everything for the host,
// and for the guest everything until FreeDays before the date, then the rate.
func (p CancelPolicy) Refund(b Booking, byHost bool, now time.Time) int64 {
	if b.Status != StatusConfirmed {
		return 0
	}
	if byHost || now.Before(b.Date.AddDate(0, 0, -p.FreeDays)) {
		return b.Price
	}
	return b.Price * int64(p.LateRefundRate) / 100
}

// Sentinel errors of space rental.
var (
	ErrSpaceNotFound   = errs.New(errs.NotFound, "SPACE_NOT_FOUND", "space not found")
	ErrBookingNotFound = errs.New(errs.NotFound, "BOOKING_NOT_FOUND", "booking not found")
	ErrSlotTaken       = errs.New(errs.Conflict, "SLOT_TAKEN", "the slot is already booked")
	ErrNotPayable      = errs.New(errs.Conflict, "BOOKING_NOT_PAYABLE", "the booking cannot be paid")
	ErrStateConflict   = errs.New(errs.Conflict, "BOOKING_STATE_CONFLICT", "the booking cannot change that way now")
)

// NewNumber draws a booking number: "BK-" + YYMMDD (UTC) + "-" + five
// random characters. Payments of bookings carry it, which is how the order
// service's consumers tell them from payments of orders.
func NewNumber(t time.Time) string {
	return orderdomain.Number(NumberPrefix, t)
}

// NumberPrefix starts every booking number.
const NumberPrefix = "BK-"

// ErrNotHost is a host's view of a space by someone other than its host or staff.
var ErrNotHost = errs.New(errs.PermissionDenied, "NOT_SPACE_HOST", "only the space's host or staff may see its bookings")
