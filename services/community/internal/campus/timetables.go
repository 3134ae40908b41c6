package campus

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/platform/errs"
	"github.com/jangteo/jangteo/platform/postgres"
)

// Timetable is a student's plan of a term.
type Timetable struct {
	ID, UserID, Term, Name string
	Primary                bool
	Lectures               []Lecture
	Entries                []Entry
}

// TotalCredits sums the credits of the timetable's lectures.
func (t Timetable) TotalCredits() int {
	n := 0
	for _, l := range t.Lectures {
		n += l.Credits
	}
	return n
}

// Entry is a custom entry of a timetable (a club, a part-time job).
type Entry struct {
	ID, Title string
	Meeting   Meeting
}

// slot is something that takes time in a timetable: a lecture's meeting or
// a custom entry, named for a clash message.
type slot struct {
	name string
	Meeting
}

// clash returns the first slot any of ms overlaps.
func clash(taken []slot, ms []Meeting) (slot, Meeting, bool) {
	for _, m := range ms {
		for _, s := range taken {
			if m.Overlaps(s.Meeting) {
				return s, m, true
			}
		}
	}
	return slot{}, Meeting{}, false
}

func clashError(s slot, m Meeting) error {
	return ErrClash.With("%s clashes with %s (%s)", m, s.name, s.Meeting)
}

// CreateTimetable creates a timetable. The first of a term is primary; with
// primary set the mark moves to the new one. A lock on (user, term) keeps two
// creations from both taking the first primary.
func (c *Campus) CreateTimetable(ctx context.Context, userID, term, name string, primary bool) (Timetable, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		name = "시간표"
	}
	if utf8.RuneCountInString(name) > 30 {
		return Timetable{}, ErrInvalid.WithFields(errs.Field("name", "must be at most 30 characters"))
	}
	t := Timetable{ID: newID(), UserID: userID, Term: term, Name: name}
	err := c.inTx(ctx, func(tx pgx.Tx) error {
		if err := lockTerm(ctx, tx, userID, term); err != nil {
			return err
		}
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM timetables WHERE user_id = $1 AND term = $2)`, userID, term).Scan(&exists); err != nil {
			return fmt.Errorf("db: timetables: %w", err)
		}
		t.Primary = primary || !exists
		if t.Primary {
			if _, err := tx.Exec(ctx, `UPDATE timetables SET is_primary = false WHERE user_id = $1 AND term = $2 AND is_primary`, userID, term); err != nil {
				return fmt.Errorf("db: unmark primary: %w", err)
			}
		}
		_, err := tx.Exec(ctx, `INSERT INTO timetables (id, user_id, term, name, is_primary) VALUES ($1, $2, $3, $4, $5)`,
			t.ID, userID, term, name, t.Primary)
		if err != nil {
			return fmt.Errorf("db: create timetable: %w", err)
		}
		return nil
	})
	return t, err
}

// Timetables lists the user's timetables of a term, primary first.
func (c *Campus) Timetables(ctx context.Context, userID, term string) ([]Timetable, error) {
	const q = `SELECT id, user_id, term, name, is_primary FROM timetables
		WHERE user_id = $1 AND term = $2 ORDER BY is_primary DESC, id`
	rows, err := c.pool.Query(ctx, q, userID, term)
	if err != nil {
		return nil, fmt.Errorf("db: timetables: %w", err)
	}
	ts, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Timetable, error) {
		var t Timetable
		err := r.Scan(&t.ID, &t.UserID, &t.Term, &t.Name, &t.Primary)
		return t, err
	})
	if err != nil {
		return nil, fmt.Errorf("db: timetables: %w", err)
	}
	for i := range ts {
		if err := fill(ctx, c.pool, &ts[i]); err != nil {
			return nil, err
		}
	}
	return ts, nil
}

// myTimetable reads the user's timetable; another user's is not found. lock
// takes its row for update: every change of a timetable holds it, so clash
// checks see each other's writes.
func myTimetable(ctx context.Context, db postgres.DB, userID, id string, lock bool) (Timetable, error) {
	q := `SELECT id, user_id, term, name, is_primary FROM timetables WHERE id = $1 AND user_id = $2`
	if lock {
		q += ` FOR UPDATE`
	}
	var t Timetable
	err := db.QueryRow(ctx, q, id, userID).Scan(&t.ID, &t.UserID, &t.Term, &t.Name, &t.Primary)
	if errors.Is(err, pgx.ErrNoRows) {
		return Timetable{}, ErrTimetableNotFound
	}
	if err != nil {
		return Timetable{}, fmt.Errorf("db: timetable: %w", err)
	}
	return t, nil
}

// fill loads a timetable's lectures (by code) and entries.
func fill(ctx context.Context, db postgres.DB, t *Timetable) error {
	rows, err := db.Query(ctx, `SELECT `+lectureColumns+lectureFrom+`
		JOIN timetable_lectures tl ON tl.lecture_id = l.id WHERE tl.timetable_id = $1 ORDER BY l.code`, t.ID)
	if err != nil {
		return fmt.Errorf("db: timetable lectures: %w", err)
	}
	if t.Lectures, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Lecture, error) { return scanLecture(r) }); err != nil {
		return fmt.Errorf("db: timetable lectures: %w", err)
	}
	if err := attachMeetings(ctx, db, t.Lectures); err != nil {
		return err
	}
	rows, err = db.Query(ctx, `SELECT id, title, day, start_min, end_min, room FROM timetable_entries
		WHERE timetable_id = $1 ORDER BY day, start_min, id`, t.ID)
	if err != nil {
		return fmt.Errorf("db: timetable entries: %w", err)
	}
	t.Entries, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Entry, error) {
		var e Entry
		err := r.Scan(&e.ID, &e.Title, &e.Meeting.Day, &e.Meeting.Start, &e.Meeting.End, &e.Meeting.Room)
		return e, err
	})
	if err != nil {
		return fmt.Errorf("db: timetable entries: %w", err)
	}
	return nil
}

// slots lists what already takes time in a filled timetable.
func (t Timetable) slots() []slot {
	var out []slot
	for _, l := range t.Lectures {
		for _, m := range l.Meetings {
			out = append(out, slot{name: l.Code + " " + l.Title, Meeting: m})
		}
	}
	for _, e := range t.Entries {
		out = append(out, slot{name: e.Title, Meeting: e.Meeting})
	}
	return out
}

// change runs fn on the user's timetable under its row lock and returns the
// timetable as it is afterwards.
func (c *Campus) change(ctx context.Context, userID, id string, fn func(tx pgx.Tx, t Timetable) error) (Timetable, error) {
	var out Timetable
	err := c.inTx(ctx, func(tx pgx.Tx) error {
		t, err := myTimetable(ctx, tx, userID, id, true)
		if err != nil {
			return err
		}
		if err := fill(ctx, tx, &t); err != nil {
			return err
		}
		if err := fn(tx, t); err != nil {
			return err
		}
		out = Timetable{ID: t.ID, UserID: t.UserID, Term: t.Term, Name: t.Name, Primary: t.Primary}
		return fill(ctx, tx, &out)
	})
	return out, err
}

// AddLecture adds a lecture of the timetable's term. A meeting overlapping
// anything in the timetable is ErrClash naming it; the same lecture again
// changes nothing.
func (c *Campus) AddLecture(ctx context.Context, userID, id, lectureID string) (Timetable, error) {
	return c.change(ctx, userID, id, func(tx pgx.Tx, t Timetable) error {
		for _, l := range t.Lectures {
			if l.ID == lectureID {
				return nil
			}
		}
		l, err := lecture(ctx, tx, lectureID, false)
		if err != nil {
			return err
		}
		if l.Term != t.Term {
			return ErrOtherTerm.With("the lecture is of %s, the timetable of %s", l.Term, t.Term)
		}
		if s, m, ok := clash(t.slots(), l.Meetings); ok {
			return ErrClash.With("%s %s (%s) clashes with %s (%s)", l.Code, l.Title, m, s.name, s.Meeting)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO timetable_lectures (timetable_id, lecture_id) VALUES ($1, $2)`, t.ID, l.ID); err != nil {
			return fmt.Errorf("db: add lecture: %w", err)
		}
		return nil
	})
}

// RemoveLecture takes a lecture out; one not there changes nothing.
func (c *Campus) RemoveLecture(ctx context.Context, userID, id, lectureID string) (Timetable, error) {
	return c.change(ctx, userID, id, func(tx pgx.Tx, t Timetable) error {
		if _, err := tx.Exec(ctx, `DELETE FROM timetable_lectures WHERE timetable_id = $1 AND lecture_id = $2`, t.ID, lectureID); err != nil {
			return fmt.Errorf("db: remove lecture: %w", err)
		}
		return nil
	})
}

// AddEntry adds a custom entry, clash checked like a lecture.
func (c *Campus) AddEntry(ctx context.Context, userID, id string, e Entry) (Timetable, error) {
	e.Title = strings.TrimSpace(e.Title)
	var v errs.Violations
	if e.Title == "" || utf8.RuneCountInString(e.Title) > 50 {
		v.Add("title", "must be 1 to 50 characters")
	}
	CheckMeeting(&v, "meeting", e.Meeting)
	if err := v.Err(); err != nil {
		return Timetable{}, err
	}
	return c.change(ctx, userID, id, func(tx pgx.Tx, t Timetable) error {
		if s, m, ok := clash(t.slots(), []Meeting{e.Meeting}); ok {
			return clashError(s, m)
		}
		const q = `INSERT INTO timetable_entries (id, timetable_id, title, day, start_min, end_min, room)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`
		if _, err := tx.Exec(ctx, q, newID(), t.ID, e.Title, e.Meeting.Day, e.Meeting.Start, e.Meeting.End, e.Meeting.Room); err != nil {
			return fmt.Errorf("db: add entry: %w", err)
		}
		return nil
	})
}

// RemoveEntry deletes a custom entry.
func (c *Campus) RemoveEntry(ctx context.Context, userID, id, entryID string) (Timetable, error) {
	return c.change(ctx, userID, id, func(tx pgx.Tx, t Timetable) error {
		tag, err := tx.Exec(ctx, `DELETE FROM timetable_entries WHERE id = $1 AND timetable_id = $2`, entryID, t.ID)
		if err != nil {
			return fmt.Errorf("db: remove entry: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return ErrEntryNotFound
		}
		return nil
	})
}

// UpdateTimetable renames the user's timetable (name non-nil) or makes it
// the term's primary one (primary true). The (user, term) lock orders it
// with creations and deletions.
func (c *Campus) UpdateTimetable(ctx context.Context, userID, id string, name *string, primary *bool) (Timetable, error) {
	var v errs.Violations
	if name != nil {
		*name = strings.TrimSpace(*name)
		if *name == "" || utf8.RuneCountInString(*name) > 30 {
			v.Add("name", "must be 1 to 30 characters")
		}
	}
	if primary != nil && !*primary {
		v.Add("primary", "make another timetable primary instead")
	}
	if err := v.Err(); err != nil {
		return Timetable{}, err
	}
	var out Timetable
	err := c.inTx(ctx, func(tx pgx.Tx) error {
		t, err := myTimetable(ctx, tx, userID, id, false)
		if err != nil {
			return err
		}
		if err := lockTerm(ctx, tx, userID, t.Term); err != nil {
			return err
		}
		if name != nil {
			if _, err := tx.Exec(ctx, `UPDATE timetables SET name = $2 WHERE id = $1`, t.ID, *name); err != nil {
				return fmt.Errorf("db: rename timetable: %w", err)
			}
		}
		if primary != nil {
			if _, err := tx.Exec(ctx, `UPDATE timetables SET is_primary = false WHERE user_id = $1 AND term = $2 AND is_primary AND id <> $3`, userID, t.Term, t.ID); err != nil {
				return fmt.Errorf("db: unmark primary: %w", err)
			}
			if _, err := tx.Exec(ctx, `UPDATE timetables SET is_primary = true WHERE id = $1`, t.ID); err != nil {
				return fmt.Errorf("db: mark primary: %w", err)
			}
		}
		if out, err = myTimetable(ctx, tx, userID, id, false); err != nil {
			return err
		}
		return fill(ctx, tx, &out)
	})
	return out, err
}

// DeleteTimetable deletes the user's timetable; when it was primary the
// term's oldest remaining one becomes primary.
func (c *Campus) DeleteTimetable(ctx context.Context, userID, id string) error {
	return c.inTx(ctx, func(tx pgx.Tx) error {
		t, err := myTimetable(ctx, tx, userID, id, false)
		if err != nil {
			return err
		}
		if err := lockTerm(ctx, tx, userID, t.Term); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `DELETE FROM timetables WHERE id = $1`, t.ID)
		if err != nil {
			return fmt.Errorf("db: delete timetable: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return ErrTimetableNotFound
		}
		const next = `UPDATE timetables SET is_primary = true WHERE id = (
			SELECT id FROM timetables WHERE user_id = $1 AND term = $2 ORDER BY created_at, id LIMIT 1)
			AND NOT EXISTS (SELECT 1 FROM timetables WHERE user_id = $1 AND term = $2 AND is_primary)`
		if _, err := tx.Exec(ctx, next, userID, t.Term); err != nil {
			return fmt.Errorf("db: next primary: %w", err)
		}
		return nil
	})
}

// lockTerm serialises the changes of which of a user's timetables of a term
// is primary.
func lockTerm(ctx context.Context, tx pgx.Tx, userID, term string) error {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('timetables/' || $1 || '/' || $2, 0))`, userID, term); err != nil {
		return fmt.Errorf("db: lock timetables: %w", err)
	}
	return nil
}
