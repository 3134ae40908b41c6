// Package domain holds the rules of spaces rented by the slot: a space's
// district, head count, facilities and options with their hours, a search,
// and which options are free on each date given the booked slots.
package domain

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/jangteo/jangteo/platform/errs"
	"github.com/jangteo/jangteo/platform/mail"
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

// Space is a place rented by the slot: a catalog product of kind "space".
type Space struct {
	ID, Slug, HostID, Name string
	District, Address      string
	Latitude, Longitude    *float64 // optional, both or neither
	MinPeople, MaxPeople   int
	Currency               string
	Category, Description  string
	ContactEmail           string // the host's, for mail; never shown
	Facilities             []string
	Options                []SpaceOption
	ImageURLs              []string // in order, the first the cover
	LikeCount              int
	LikedByMe              bool
	CreatedAt              time.Time
}

// MinPrice is the lowest price of the space's options, what sorting by price uses.
func (s Space) MinPrice() int64 {
	if len(s.Options) == 0 {
		return 0
	}
	low := int64(math.MaxInt64)
	for _, o := range s.Options {
		low = min(low, o.Price)
	}
	return low
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

// Districts is the reference list a space's district comes from: Seoul's
// 25 districts, then the cities around it and "other".
var Districts = []string{
	"gangnam", "gangdong", "gangbuk", "gangseo", "gwanak", "gwangjin", "guro", "geumcheon",
	"nowon", "dobong", "dongdaemun", "dongjak", "mapo", "seodaemun", "seocho", "seongdong",
	"seongbuk", "songpa", "yangcheon", "yeongdeungpo", "yongsan", "eunpyeong", "jongno", "jung", "jungnang",
	"incheon", "seongnam", "goyang", "suwon", "yongin", "bucheon", "other",
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

func known(list []string, v string) bool { return slices.Contains(list, v) }

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
		v = append(v, errs.Field("district", fmt.Sprintf("%q is not a known district", s.District)))
	}
	if !ValidCategory(s.Category) {
		v = append(v, errs.Field("category", fmt.Sprintf("%q is not one of %s", s.Category, strings.Join(Categories, ", "))))
	}
	for i, f := range s.Facilities {
		if !known(Facilities, f) {
			v = append(v, errs.Field(fmt.Sprintf("facilities[%d]", i), fmt.Sprintf("%q is not a known facility", f)))
		}
	}
	if s.ContactEmail != "" && !mail.IsAddress(s.ContactEmail) {
		v = append(v, errs.Field("contact_email", "not a valid email address"))
	}
	if (s.Latitude == nil) != (s.Longitude == nil) {
		v = append(v, errs.Field("longitude", "latitude and longitude go together"))
	}
	if s.Latitude != nil && (*s.Latitude < -90 || *s.Latitude > 90) {
		v = append(v, errs.Field("latitude", "must be within -90..90"))
	}
	if s.Longitude != nil && (*s.Longitude < -180 || *s.Longitude > 180) {
		v = append(v, errs.Field("longitude", "must be within -180..180"))
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
		v = append(v, errs.Field("district", fmt.Sprintf("%q is not a known district", s.District)))
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

// Sentinel errors of spaces.
var (
	// ErrNotHost is an edit of a space by someone other than its host or staff.
	ErrNotHost       = errs.New(errs.PermissionDenied, "NOT_SPACE_HOST", "only the space's host or staff may change it")
	ErrSpaceNotFound = errs.New(errs.NotFound, "SPACE_NOT_FOUND", "space not found")
)

// MaxImages is how many pictures a space has at most.
const MaxImages = 20

// Slot is a booking's claim on a space, as the availability projection
// keeps it from the order service's events.
type Slot struct {
	BookingID, SpaceID string
	Date               string // YYYY-MM-DD
	Option             Option
	Start, End         time.Time
	State              SlotState
}

// SlotState is where a booked slot is; it only moves forward.
type SlotState string

// The states of a booked slot: held and confirmed take it, released gives it back.
const (
	SlotHeld      SlotState = "held"
	SlotConfirmed SlotState = "confirmed"
	SlotReleased  SlotState = "released"
)

// Slot is the option's slot on a date (YYYY-MM-DD) of the space, checking
// both against it, naming the bad field.
func (s Space) Slot(date string, kind Option) (SpaceOption, time.Time, time.Time, error) {
	d, err := time.ParseInLocation(time.DateOnly, date, Seoul)
	if err != nil {
		return SpaceOption{}, d, d, errs.InvalidFields(errs.Field("date", fmt.Sprintf("%q is not a date (YYYY-MM-DD)", date)))
	}
	o, ok := s.Option(kind)
	switch {
	case !kind.Known():
		return o, d, d, errs.InvalidFields(errs.Field("option", fmt.Sprintf("%q is not day, night or all_day", kind)))
	case !ok:
		return o, d, d, errs.InvalidFields(errs.Field("option", fmt.Sprintf("%s does not rent by %s", s.Name, kind)))
	}
	start, end := o.Slot(d)
	return o, start, end, nil
}
