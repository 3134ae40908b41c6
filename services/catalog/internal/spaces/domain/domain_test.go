package domain

import (
	"testing"
	"time"
)

func TestSlotsAndTheirOverlaps(t *testing.T) {
	date := time.Date(2026, 12, 24, 0, 0, 0, 0, Seoul)
	opt := func(k Option) SpaceOption {
		h := DefaultHours[k]
		return SpaceOption{Kind: k, StartHour: h[0], EndHour: h[1]}
	}
	start, end := opt(Night).Slot(date)
	if start.UTC().Format(time.RFC3339) != "2026-12-24T10:00:00Z" || end.UTC().Format(time.RFC3339) != "2026-12-24T23:00:00Z" {
		t.Fatalf("night = %s – %s", start.UTC(), end.UTC())
	}
	clash := func(a, b Option, dayShift int) bool {
		as, ae := opt(a).Slot(date)
		bs, be := opt(b).Slot(date.AddDate(0, 0, dayShift))
		return as.Before(be) && bs.Before(ae)
	}
	for _, c := range []struct {
		a, b  Option
		shift int
		want  bool
	}{
		{Day, Night, 0, false}, {AllDay, Day, 0, true}, {AllDay, Night, 0, true}, {Day, Day, 0, true},
		{Night, Day, 1, false}, {AllDay, AllDay, 1, false}, {Night, AllDay, 1, false},
	} {
		if got := clash(c.a, c.b, c.shift); got != c.want {
			t.Errorf("%s and %s %+d day: clash %v, want %v", c.a, c.b, c.shift, got, c.want)
		}
	}
}

func TestValidateSpaceRefusesOverlappingDayAndNight(t *testing.T) {
	s := Space{Name: "Loft", District: "mapo", Address: "a", Category: "studio", MinPeople: 1, MaxPeople: 2,
		Options: []SpaceOption{{Kind: Day, StartHour: 9, EndHour: 20}, {Kind: Night, StartHour: 19, EndHour: 8}}}
	if err := ValidateSpace(s); err == nil {
		t.Fatal("overlapping day and night accepted")
	}
	s.Options[0].EndHour = 18
	if err := ValidateSpace(s); err != nil {
		t.Fatal(err)
	}
}
