package campus

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxImportRows caps one import.
const MaxImportRows = 5000

// csvHeader is the import's required header.
var csvHeader = []string{"code", "title", "professor", "credits", "meetings"}

// Rejected is a CSV row an import refused.
type Rejected struct {
	Line   int
	Code   string
	Reason string
}

// days maps what a CSV may call a day to its ISO number.
var days = map[string]int{
	"월": 1, "화": 2, "수": 3, "목": 4, "금": 5, "토": 6, "일": 7,
	"mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6, "sun": 7,
}

// ParseLectures reads a term's lectures from CSV (header
// code,title,professor,credits,meetings; meetings "월 09:00-10:15 공학관 301;
// 수 09:00-10:15 공학관 301"). It checks every row and returns the rejected
// ones with their reasons; a caller stores the lectures only when none is.
func ParseLectures(data string) ([]Lecture, []Rejected) {
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(data, "\uFEFF")))
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	var (
		out      []Lecture
		rejected []Rejected
		seen     = map[string]int{} // code → line
	)
	header, err := r.Read()
	if err != nil || !sameHeader(header) {
		return nil, []Rejected{{Line: 1, Reason: "the header must be " + strings.Join(csvHeader, ",")}}
	}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if pe := (*csv.ParseError)(nil); errors.As(err, &pe) {
			rejected = append(rejected, Rejected{Line: pe.Line, Reason: "malformed CSV: " + pe.Err.Error()})
			continue
		} else if err != nil {
			rejected = append(rejected, Rejected{Reason: "malformed CSV: " + err.Error()})
			break
		}
		line, _ := r.FieldPos(0)
		if len(out)+len(rejected) >= MaxImportRows {
			rejected = append(rejected, Rejected{Line: line, Reason: fmt.Sprintf("at most %d rows per import", MaxImportRows)})
			break
		}
		l, reason := parseRow(rec)
		if reason == "" {
			if first, dup := seen[l.Code]; dup {
				reason = fmt.Sprintf("duplicate code %s (first on line %d)", l.Code, first)
			}
		}
		if reason != "" {
			code := ""
			if len(rec) > 0 {
				code = strings.TrimSpace(rec[0])
			}
			rejected = append(rejected, Rejected{Line: line, Code: code, Reason: reason})
			continue
		}
		seen[l.Code] = line
		out = append(out, l)
	}
	if len(out) == 0 && len(rejected) == 0 {
		rejected = append(rejected, Rejected{Line: 2, Reason: "no lectures after the header"})
	}
	return out, rejected
}

func sameHeader(h []string) bool {
	if len(h) != len(csvHeader) {
		return false
	}
	for i, name := range csvHeader {
		if !strings.EqualFold(strings.TrimSpace(strings.TrimPrefix(h[i], "\uFEFF")), name) {
			return false
		}
	}
	return true
}

// parseRow checks one row; the reason is empty when it is valid.
func parseRow(rec []string) (Lecture, string) {
	if len(rec) != len(csvHeader) {
		return Lecture{}, fmt.Sprintf("want %d columns, got %d", len(csvHeader), len(rec))
	}
	for i := range rec {
		rec[i] = strings.TrimSpace(rec[i])
		if !utf8.ValidString(rec[i]) || strings.ContainsRune(rec[i], 0) {
			return Lecture{}, csvHeader[i] + ": not valid text"
		}
	}
	l := Lecture{Code: rec[0], Title: rec[1], Professor: rec[2]}
	switch {
	case l.Code == "" || utf8.RuneCountInString(l.Code) > 30:
		return Lecture{}, "code: must be 1 to 30 characters"
	case l.Title == "" || utf8.RuneCountInString(l.Title) > 100:
		return Lecture{}, "title: must be 1 to 100 characters"
	case utf8.RuneCountInString(l.Professor) > 50:
		return Lecture{}, "professor: must be at most 50 characters"
	}
	credits, err := strconv.Atoi(rec[3])
	if err != nil || credits < 0 || credits > 30 {
		return Lecture{}, fmt.Sprintf("credits: %q is not a number from 0 to 30", rec[3])
	}
	l.Credits = credits
	if rec[4] != "" {
		for part := range strings.SplitSeq(rec[4], ";") {
			m, reason := parseMeeting(strings.TrimSpace(part))
			if reason != "" {
				return Lecture{}, "meetings: " + reason
			}
			for _, o := range l.Meetings {
				if m.Overlaps(o) {
					return Lecture{}, fmt.Sprintf("meetings: %s overlaps %s", m, o)
				}
			}
			l.Meetings = append(l.Meetings, m)
		}
	}
	return l, ""
}

// parseMeeting reads "월 09:00-10:15 공학관 301" (room optional).
func parseMeeting(s string) (Meeting, string) {
	f := strings.Fields(s)
	if len(f) < 2 {
		return Meeting{}, fmt.Sprintf("%q is not \"day HH:MM-HH:MM [room]\"", s)
	}
	day, ok := days[strings.ToLower(f[0])]
	if !ok {
		return Meeting{}, fmt.Sprintf("%q is not a day (월…일 or Mon…Sun)", f[0])
	}
	from, to, ok := strings.Cut(f[1], "-")
	start, ok1 := ParseClock(from)
	end, ok2 := ParseClock(to)
	if !ok || !ok1 || !ok2 {
		return Meeting{}, fmt.Sprintf("%q is not a time range HH:MM-HH:MM", f[1])
	}
	if end <= start {
		return Meeting{}, fmt.Sprintf("%s ends before it starts", f[1])
	}
	m := Meeting{Day: day, Start: start, End: end, Room: strings.Join(f[2:], " ")}
	if utf8.RuneCountInString(m.Room) > 50 {
		return Meeting{}, "room: must be at most 50 characters"
	}
	return m, ""
}
