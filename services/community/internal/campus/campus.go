// Package campus is the community's campus side: schools and their members,
// lectures per school and term (imported from CSV by staff), students'
// timetables with clash checks, and lecture reviews. It is one small
// package: use cases and the SQL they run sit together, each use case owning
// its transaction. Its tables live in the community schema (migration
// 0006_campus), so school boards check membership with a local read.
package campus

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/jangteo/jangteo/platform/errs"
	"github.com/jangteo/jangteo/platform/mail"
	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/services/community/internal/domain"
)

// Sentinel errors of the campus.
var (
	ErrSchoolNotFound     = errs.New(errs.NotFound, "SCHOOL_NOT_FOUND", "school not found")
	ErrSchoolExists       = errs.New(errs.Conflict, "SCHOOL_EXISTS", "a school with this slug already exists")
	ErrMembershipNotFound = errs.New(errs.NotFound, "MEMBERSHIP_NOT_FOUND", "no such school membership")
	ErrLectureNotFound    = errs.New(errs.NotFound, "LECTURE_NOT_FOUND", "lecture not found")
	ErrTimetableNotFound  = errs.New(errs.NotFound, "TIMETABLE_NOT_FOUND", "timetable not found")
	ErrEntryNotFound      = errs.New(errs.NotFound, "ENTRY_NOT_FOUND", "timetable entry not found")
	ErrClash              = errs.New(errs.Conflict, "TIMETABLE_CLASH", "this clashes with the timetable")
	ErrOtherTerm          = errs.New(errs.Invalid, "LECTURE_OTHER_TERM", "the lecture is of another term")
	ErrInvalid            = errs.New(errs.Invalid, "INVALID_ARGUMENT", "invalid argument")
	ErrLecturesRejected   = errs.New(errs.Unprocessable, "LECTURES_REJECTED", "rows of the CSV were rejected; nothing was imported")
	ErrLinkInvalid        = errs.New(errs.Invalid, "LINK_INVALID", "this link is invalid, used or expired")
	ErrMemberNotFound     = errs.New(errs.NotFound, "MEMBER_NOT_FOUND", "member not found")
	ErrSelfFriend         = errs.New(errs.Invalid, "SELF_FRIEND", "you cannot befriend yourself")
	ErrRequestNotFound    = errs.New(errs.NotFound, "FRIEND_REQUEST_NOT_FOUND", "no such friend request")
)

// Membership statuses.
const (
	Pending  = "pending"
	Approved = "approved"
)

// School is a university.
type School struct {
	ID, Slug, Name, EmailDomain, Region string
}

// How a membership is approved.
const (
	ByEmail = "email"
	ByStaff = "staff"
)

// Membership is a user's school and admission year.
type Membership struct {
	UserID        string
	School        School
	AdmissionYear int
	Status        string
	JoinMethod    string
	SchoolEmail   string
}

// Meeting is a weekly slot: Day is ISO (1 = Monday … 7 = Sunday), Start and
// End are minutes after midnight.
type Meeting struct {
	Day        int
	Start, End int
	Room       string
}

// Overlaps reports whether two meetings share any minute.
func (m Meeting) Overlaps(o Meeting) bool {
	return m.Day == o.Day && m.Start < o.End && o.Start < m.End
}

// String renders the slot as "월 09:00-10:15".
func (m Meeting) String() string {
	return fmt.Sprintf("%s %s-%s", dayNames[m.Day-1], Clock(m.Start), Clock(m.End))
}

var dayNames = []string{"월", "화", "수", "목", "금", "토", "일"}

// Clock renders minutes after midnight as "HH:MM".
func Clock(min int) string { return fmt.Sprintf("%02d:%02d", min/60, min%60) }

// ParseClock reads "HH:MM" (24-hour; "24:00" ends a day).
func ParseClock(s string) (int, bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	h, err1 := strconv.ParseUint(s[:2], 10, 8)
	m, err2 := strconv.ParseUint(s[3:], 10, 8)
	if err1 != nil || err2 != nil || m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, false
	}
	return int(h*60 + m), true
}

// CheckMeeting checks a slot; field prefixes the violations.
func CheckMeeting(v *errs.Violations, field string, m Meeting) {
	switch {
	case m.Day < 1 || m.Day > 7:
		v.Add(field+".day", "must be a day of the week")
	case m.Start < 0 || m.End > 24*60 || m.End <= m.Start:
		v.Add(field+".end", "must be after start, on the same day")
	}
	if len([]rune(m.Room)) > 50 {
		v.Add(field+".room", "must be at most 50 characters")
	}
}

// Summary is the averages of a lecture's reviews.
type Summary struct {
	Count                        int
	Rating, Difficulty, Workload float64
}

func summary(count, rating, difficulty, workload int) Summary {
	if count == 0 {
		return Summary{}
	}
	n := float64(count)
	return Summary{Count: count, Rating: float64(rating) / n, Difficulty: float64(difficulty) / n, Workload: float64(workload) / n}
}

// Lecture is a course of a school in one term.
type Lecture struct {
	ID, SchoolID, SchoolSlug, Term, Code, Title, Professor string
	Credits                                                int
	Meetings                                               []Meeting
	Reviews                                                Summary
}

// Mailer delivers a mail (platform/mail's Sender).
type Mailer interface {
	Send(ctx context.Context, msg mail.Message) error
}

// Campus runs the campus use cases.
type Campus struct {
	pool      *pgxpool.Pool
	mailer    Mailer
	publicURL string
	linkTTL   time.Duration
	now       func() time.Time
}

// New returns the campus over pool (the community's schema); school email
// links are mailed through m and point at publicURL.
func New(pool *pgxpool.Pool, m Mailer, publicURL string) *Campus {
	if pool == nil || m == nil {
		panic("campus: nil dependency")
	}
	return &Campus{pool: pool, mailer: m, publicURL: publicURL, linkTTL: 24 * time.Hour,
		now: func() time.Time { return time.Now().UTC() }}
}

func (c *Campus) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return postgres.InTx(ctx, c.pool, fn)
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// likeEscaper escapes ILIKE's wildcards in user input.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// contains is an ILIKE pattern matching s anywhere.
func contains(s string) string { return "%" + likeEscaper.Replace(strings.TrimSpace(s)) + "%" }

// prefix is an ILIKE pattern matching what starts with s.
func prefix(s string) string { return likeEscaper.Replace(strings.TrimSpace(s)) + "%" }

// member reports whether the user is an approved member of the school.
func member(ctx context.Context, db postgres.DB, userID, schoolID string) (bool, error) {
	const q = `SELECT EXISTS (SELECT 1 FROM school_members WHERE user_id = $1 AND school_id = $2 AND status = 'approved')`
	var ok bool
	if err := db.QueryRow(ctx, q, userID, schoolID).Scan(&ok); err != nil {
		return false, fmt.Errorf("db: school member: %w", err)
	}
	return ok, nil
}

// membersOnly is the refusal for a non-member.
func membersOnly(what string) error {
	return domain.ErrSchoolMembersOnly.With("only members of the school may %s", what)
}
