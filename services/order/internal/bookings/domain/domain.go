// Package domain holds space rental's rules: a space's slots and their hours,
// a booking's time range, and its life from the hold to completion.
package domain

import (
	"crypto/rand"
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/jangteo/jangteo/platform/errs"
)

// Seoul is where every space is: dates and hours are Seoul's.
var Seoul = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		return time.FixedZone("KST", 9*60*60) // no DST since 1988
	}
	return loc
}()

// Option is a way of renting a space on a date.
type Option string

// The options and their default hours.
const (
	Day    Option = "day"
	Night  Option = "night"
	AllDay Option = "all_day"
)

// DefaultHours are each option's hours unless the space sets its own.
var DefaultHours = map[Option][2]int{Day: {9, 18}, Night: {19, 8}, AllDay: {9, 8}}

// Known reports whether o is day, night or all_day.
func (o Option) Known() bool {
	_, ok := DefaultHours[o]
	return ok
}

// SpaceOption is one of a space's options with its price and hours.
type SpaceOption struct {
	Kind      Option
	Price     int64
	StartHour int
	EndHour   int // at or before StartHour: the next day
}

// Slot is the option's time range on date (a Seoul calendar date).
func (o SpaceOption) Slot(date time.Time) (start, end time.Time) {
	y, m, d := date.Date()
	start = time.Date(y, m, d, o.StartHour, 0, 0, 0, Seoul)
	endDay := d
	if o.EndHour <= o.StartHour {
		endDay++
	}
	return start, time.Date(y, m, endDay, o.EndHour, 0, 0, 0, Seoul)
}

// Space is a place rented by the slot.
type Space struct {
	ID, Slug, HostID, Name string
	District, Address      string
	MinPeople, MaxPeople   int
	Currency               string
	Category, Description  string
	ContactEmail           string // the host's, for mail; never shown
	Facilities             []string
	Options                []SpaceOption
	LikeCount              int
	LikedByMe              bool
	CreatedAt              time.Time
}

// Option returns the space's option of kind.
func (s Space) Option(kind Option) (SpaceOption, bool) {
	for _, o := range s.Options {
		if o.Kind == kind {
			return o, true
		}
	}
	return SpaceOption{}, false
}

// Districts are Seoul's 25 districts, the reference list a space's district comes from.
var Districts = []string{
	"gangnam", "gangdong", "gangbuk", "gangseo", "gwanak", "gwangjin", "guro", "geumcheon",
	"nowon", "dobong", "dongdaemun", "dongjak", "mapo", "seodaemun", "seocho", "seongdong",
	"seongbuk", "songpa", "yangcheon", "yeongdeungpo", "yongsan", "eunpyeong", "jongno", "jung", "jungnang",
}

// Categories are the kinds of space.
var Categories = []string{
	"party_room", "studio", "meeting_room", "practice_room", "seminar_room", "kitchen", "rooftop", "cafe",
}

// Facilities are what a space may offer.
var Facilities = []string{
	"wifi", "projector", "kitchen", "parking", "whiteboard", "sound_system", "tv", "air_conditioning",
	"heating", "restroom", "shower", "elevator", "pet_friendly", "microphone", "lighting", "mirror", "piano",
}

func known(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// ValidDistrict and ValidCategory check filters and fields against the reference lists.
func ValidDistrict(d string) bool { return known(Districts, d) }

// ValidCategory reports whether c is one of Categories.
func ValidCategory(c string) bool { return known(Categories, c) }

// ValidateSpace checks a new space, naming every bad field.
func ValidateSpace(s Space) error {
	var v []errs.FieldViolation
	if strings.TrimSpace(s.Name) == "" {
		v = append(v, errs.Field("name", "a name is required"))
	}
	if !ValidDistrict(s.District) {
		v = append(v, errs.Field("district", fmt.Sprintf("%q is not one of Seoul's districts", s.District)))
	}
	if !ValidCategory(s.Category) {
		v = append(v, errs.Field("category", fmt.Sprintf("%q is not one of %s", s.Category, strings.Join(Categories, ", "))))
	}
	for i, f := range s.Facilities {
		if !known(Facilities, f) {
			v = append(v, errs.Field(fmt.Sprintf("facilities[%d]", i), fmt.Sprintf("%q is not a known facility", f)))
		}
	}
	if s.ContactEmail != "" && !validEmail(s.ContactEmail) {
		v = append(v, errs.Field("contact_email", "not a valid email address"))
	}
	if strings.TrimSpace(s.Address) == "" {
		v = append(v, errs.Field("address", "an address is required"))
	}
	if s.MinPeople < 1 {
		v = append(v, errs.Field("min_people", "at least 1"))
	}
	if s.MaxPeople < s.MinPeople {
		v = append(v, errs.Field("max_people", "must not be less than min_people"))
	}
	if len(s.Options) == 0 {
		v = append(v, errs.Field("options", "at least one option is required"))
	}
	seen := map[Option]bool{}
	for i, o := range s.Options {
		field := fmt.Sprintf("options[%d]", i)
		switch {
		case !o.Kind.Known():
			v = append(v, errs.Field(field+".kind", fmt.Sprintf("%q is not day, night or all_day", o.Kind)))
		case seen[o.Kind]:
			v = append(v, errs.Field(field+".kind", fmt.Sprintf("%s is given twice", o.Kind)))
		case o.Price < 0:
			v = append(v, errs.Field(field+".price", "must not be negative"))
		case o.StartHour == o.EndHour:
			v = append(v, errs.Field(field+".end_hour", "a slot cannot be empty"))
		}
		seen[o.Kind] = true
	}
	if d, ok := s.Option(Day); ok {
		if n, ok := s.Option(Night); ok && overlap(d, n) {
			v = append(v, errs.Field("options", "day and night hours overlap"))
		}
	}
	if len(v) > 0 {
		return errs.InvalidFields(v...)
	}
	return nil
}

// overlap reports whether a and b overlap on the same date or across midnight.
func overlap(a, b SpaceOption) bool {
	date := time.Date(2026, 1, 1, 0, 0, 0, 0, Seoul)
	for _, shift := range []int{-1, 0, 1} {
		as, ae := a.Slot(date)
		bs, be := b.Slot(date.AddDate(0, 0, shift))
		if as.Before(be) && bs.Before(ae) {
			return true
		}
	}
	return false
}

// validEmail reports whether s is one bare address, e.g. minji@example.com.
func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && a.Name == ""
}

var slugUnsafe = regexp.MustCompile(`[^a-z0-9가-힣]+`)

// Slug makes a URL name from a space's name and a random suffix.
func Slug(name string) string {
	s := strings.Trim(slugUnsafe.ReplaceAllString(strings.ToLower(name), "-"), "-")
	if r := []rune(s); len(r) > 60 {
		s = string(r[:60])
	}
	if s == "" {
		s = "space"
	}
	return s + "-" + strings.ToLower(randomCode(5))
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

// NewBooking checks r against the space and the clock and returns the held booking.
func NewBooking(s Space, r Request, userID string, now time.Time, hold time.Duration) (Booking, error) {
	var v []errs.FieldViolation
	date, err := time.ParseInLocation("2006-01-02", r.Date, Seoul)
	today := now.In(Seoul).Format("2006-01-02")
	switch {
	case err != nil:
		v = append(v, errs.Field("date", fmt.Sprintf("%q is not a date (YYYY-MM-DD)", r.Date)))
	case r.Date < today:
		v = append(v, errs.Field("date", fmt.Sprintf("%s is in the past", r.Date)))
	}
	kind := Option(r.Option)
	var opt SpaceOption
	if !kind.Known() {
		v = append(v, errs.Field("option", fmt.Sprintf("%q is not day, night or all_day", r.Option)))
	} else if o, ok := s.Option(kind); !ok {
		v = append(v, errs.Field("option", fmt.Sprintf("%s does not rent by %s", s.Name, kind)))
	} else {
		opt = o
	}
	if !validEmail(r.Email) {
		v = append(v, errs.Field("email", "a valid email address is required"))
	}
	if r.People < s.MinPeople || r.People > s.MaxPeople {
		v = append(v, errs.Field("people", fmt.Sprintf("%s takes %d to %d people", s.Name, s.MinPeople, s.MaxPeople)))
	}
	if len(v) > 0 {
		return Booking{}, errs.InvalidFields(v...)
	}
	start, end := opt.Slot(date)
	if !start.After(now) {
		return Booking{}, errs.InvalidFields(errs.Field("date", fmt.Sprintf("the %s slot of %s has already begun", kind, r.Date)))
	}
	return Booking{
		ID: uuid.Must(uuid.NewV7()).String(), Number: NewNumber(now), SpaceID: s.ID, SpaceName: s.Name, HostID: s.HostID, UserID: userID,
		Date: date, Option: kind, People: r.People, Note: strings.TrimSpace(r.Note), Email: r.Email, Start: start, End: end,
		Status: StatusPendingPayment, Currency: s.Currency, Price: opt.Price, HoldUntil: now.Add(hold),
		CreatedAt: now, UpdatedAt: now,
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

const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

func randomCode(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// NewNumber draws a booking number: "BK-" + YYMMDD (UTC) + "-" + five
// random characters. Payments of bookings carry it, which is how the order
// service's consumers tell them from payments of orders.
func NewNumber(t time.Time) string {
	return NumberPrefix + t.UTC().Format("060102") + "-" + randomCode(5)
}

// NumberPrefix starts every booking number.
const NumberPrefix = "BK-"

// Sort is the order of a space search.
type Sort string

// The sorts of a space search.
const (
	SortNewest    Sort = "newest"
	SortPriceAsc  Sort = "price_asc"
	SortPriceDesc Sort = "price_desc"
	SortLikes     Sort = "likes"
)

// Search is a space search, checked by Check.
type Search struct {
	District, Category string
	People             int
	Date               string // YYYY-MM-DD or empty
	Option             Option // with Date, or empty
	Sort               Sort
	Page, PageSize     int
}

// Check validates the search and fills in the defaults, naming every bad field.
func (s *Search) Check() error {
	var v []errs.FieldViolation
	if s.District != "" && !ValidDistrict(s.District) {
		v = append(v, errs.Field("district", fmt.Sprintf("%q is not one of Seoul's districts", s.District)))
	}
	if s.Category != "" && !ValidCategory(s.Category) {
		v = append(v, errs.Field("category", fmt.Sprintf("%q is not one of %s", s.Category, strings.Join(Categories, ", "))))
	}
	if s.People < 0 {
		v = append(v, errs.Field("people", "must not be negative"))
	}
	if s.Date != "" {
		if _, err := time.ParseInLocation(time.DateOnly, s.Date, Seoul); err != nil {
			v = append(v, errs.Field("date", fmt.Sprintf("%q is not a date (YYYY-MM-DD)", s.Date)))
		}
	}
	if s.Option != "" {
		if !s.Option.Known() {
			v = append(v, errs.Field("option", fmt.Sprintf("%q is not day, night or all_day", s.Option)))
		} else if s.Date == "" {
			v = append(v, errs.Field("date", "option filters need a date"))
		}
	}
	switch s.Sort {
	case "":
		s.Sort = SortNewest
	case SortNewest, SortPriceAsc, SortPriceDesc, SortLikes:
	default:
		v = append(v, errs.Field("sort", fmt.Sprintf("%q is not price_asc, price_desc, likes or newest", s.Sort)))
	}
	if s.Page <= 0 {
		s.Page = 1
	}
	if s.PageSize <= 0 {
		s.PageSize = 20
	}
	if len(v) > 0 {
		return errs.InvalidFields(v...)
	}
	return nil
}

// Availability is which options of a space are free and taken on a date.
type Availability struct {
	Date        string
	Free, Taken []Option
}

// Month lists the days of month (YYYY-MM) with the options of sp that
// overlap none of booked (live bookings' ranges) and start after now.
func Month(sp Space, month string, booked [][2]time.Time, now time.Time) ([]Availability, error) {
	first, _, err := MonthRange(month)
	if err != nil {
		return nil, err
	}
	var days []Availability
	for d := first; d.Month() == first.Month(); d = d.AddDate(0, 0, 1) {
		day := Availability{Date: d.Format(time.DateOnly)}
		for _, o := range sp.Options {
			start, end := o.Slot(d)
			taken := false
			for _, b := range booked {
				taken = taken || (start.Before(b[1]) && b[0].Before(end))
			}
			switch {
			case taken:
				day.Taken = append(day.Taken, o.Kind)
			case start.After(now):
				day.Free = append(day.Free, o.Kind)
			}
		}
		days = append(days, day)
	}
	return days, nil
}

// MonthRange is the span of time the slots of a month (YYYY-MM) can cover:
// from its first midnight to two days after it ends (a night slot of its
// last date ends on the next day).
func MonthRange(month string) (from, to time.Time, err error) {
	first, err := time.ParseInLocation("2006-01", month, Seoul)
	if err != nil {
		return first, first, errs.InvalidFields(errs.Field("month", fmt.Sprintf("%q is not a month (YYYY-MM)", month)))
	}
	return first, first.AddDate(0, 1, 2), nil
}

// ErrNotHost is an edit of a space by someone other than its host or staff.
var ErrNotHost = errs.New(errs.PermissionDenied, "NOT_SPACE_HOST", "only the space's host or staff may change it")
