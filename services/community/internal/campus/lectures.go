package campus

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/platform/errs"
	"github.com/jangteo/jangteo/platform/postgres"
)

const lectureColumns = `l.id, l.school_id, s.slug, l.term, l.code, l.title, l.professor, l.credits,
	l.review_count, l.rating_sum, l.difficulty_sum, l.workload_sum`

const lectureFrom = ` FROM lectures l JOIN schools s ON s.id = l.school_id`

func scanLecture(row pgx.Row, extra ...any) (Lecture, error) {
	var (
		l                             Lecture
		count, rating, diff, workload int
	)
	err := row.Scan(append([]any{&l.ID, &l.SchoolID, &l.SchoolSlug, &l.Term, &l.Code, &l.Title, &l.Professor, &l.Credits,
		&count, &rating, &diff, &workload}, extra...)...)
	l.Reviews = summary(count, rating, diff, workload)
	return l, err
}

// attachMeetings loads the lectures' meetings in one query.
func attachMeetings(ctx context.Context, db postgres.DB, ls []Lecture) error {
	if len(ls) == 0 {
		return nil
	}
	ids := make([]string, len(ls))
	at := make(map[string][]int, len(ls))
	for i, l := range ls {
		ids[i] = l.ID
		at[l.ID] = append(at[l.ID], i)
	}
	const q = `SELECT lecture_id, day, start_min, end_min, room FROM lecture_meetings
		WHERE lecture_id = ANY($1) ORDER BY lecture_id, position`
	rows, err := db.Query(ctx, q, ids)
	if err != nil {
		return fmt.Errorf("db: meetings: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var m Meeting
		if err := rows.Scan(&id, &m.Day, &m.Start, &m.End, &m.Room); err != nil {
			return fmt.Errorf("db: scan meeting: %w", err)
		}
		for _, i := range at[id] {
			ls[i].Meetings = append(ls[i].Meetings, m)
		}
	}
	return rows.Err()
}

// ImportLectures stores a term's lectures from CSV (staff), all or nothing:
// when any row is rejected nothing is stored and the error
// (ErrLecturesRejected) names every rejected row as a field violation
// "csv.lines[N]". A code already in the term is replaced (title, professor,
// credits, meetings), so a corrected file can be imported again. It returns
// how many lectures were stored.
func (c *Campus) ImportLectures(ctx context.Context, slug, term, data string) (int, error) {
	s, err := c.School(ctx, slug)
	if err != nil {
		return 0, err
	}
	lectures, rejected := ParseLectures(data)
	if len(rejected) > 0 {
		fields := make([]errs.FieldViolation, len(rejected))
		for i, r := range rejected {
			reason := r.Reason
			if r.Code != "" {
				reason = r.Code + ": " + reason
			}
			fields[i] = errs.Field(fmt.Sprintf("csv.lines[%d]", r.Line), reason)
		}
		return 0, ErrLecturesRejected.With("%d of the rows were rejected; nothing was imported", len(rejected)).WithFields(fields...)
	}
	err = c.inTx(ctx, func(tx pgx.Tx) error {
		const upsert = `INSERT INTO lectures (id, school_id, term, code, title, professor, credits)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (school_id, term, code) DO UPDATE
				SET title = EXCLUDED.title, professor = EXCLUDED.professor, credits = EXCLUDED.credits
			RETURNING id`
		const clear = `DELETE FROM lecture_meetings WHERE lecture_id = $1`
		const meeting = `INSERT INTO lecture_meetings (lecture_id, position, day, start_min, end_min, room)
			VALUES ($1, $2, $3, $4, $5, $6)`
		for _, l := range lectures {
			var id string
			if err := tx.QueryRow(ctx, upsert, newID(), s.ID, term, l.Code, l.Title, l.Professor, l.Credits).Scan(&id); err != nil {
				return fmt.Errorf("db: import lecture %s: %w", l.Code, err)
			}
			b := &pgx.Batch{}
			b.Queue(clear, id)
			for i, m := range l.Meetings {
				b.Queue(meeting, id, i, m.Day, m.Start, m.End, m.Room)
			}
			if err := tx.SendBatch(ctx, b).Close(); err != nil {
				return fmt.Errorf("db: import meetings of %s: %w", l.Code, err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(lectures), nil
}

// LectureQuery filters a school's lectures of a term.
type LectureQuery struct {
	Slug, Term, Q, Professor string
	Day                      int // 0: any
	Page, PageSize           int
}

// LecturePage is one page of lectures with the total.
type LecturePage struct {
	Lectures []Lecture
	Total    int
}

// Lectures lists a school's lectures of a term by code.
func (c *Campus) Lectures(ctx context.Context, lq LectureQuery) (LecturePage, error) {
	s, err := c.School(ctx, lq.Slug)
	if err != nil {
		return LecturePage{}, err
	}
	size := lq.PageSize
	if size <= 0 {
		size = 20
	}
	page := max(lq.Page, 1)
	const where = ` WHERE l.school_id = $1 AND l.term = $2
		  AND ($3 = '' OR l.code ILIKE $4 OR l.title ILIKE $4)
		  AND ($5 = '' OR l.professor ILIKE $6)
		  AND ($7 = 0 OR EXISTS (SELECT 1 FROM lecture_meetings m WHERE m.lecture_id = l.id AND m.day = $7))`
	args := []any{s.ID, lq.Term, lq.Q, contains(lq.Q), lq.Professor, contains(lq.Professor), lq.Day}
	var out LecturePage
	if err := c.pool.QueryRow(ctx, `SELECT count(*) FROM lectures l`+where, args...).Scan(&out.Total); err != nil {
		return LecturePage{}, fmt.Errorf("db: count lectures: %w", err)
	}
	rows, err := c.pool.Query(ctx, `SELECT `+lectureColumns+lectureFrom+where+` ORDER BY l.code LIMIT $8 OFFSET $9`,
		append(args, size, (page-1)*size)...)
	if err != nil {
		return LecturePage{}, fmt.Errorf("db: lectures: %w", err)
	}
	out.Lectures, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Lecture, error) { return scanLecture(r) })
	if err != nil {
		return LecturePage{}, fmt.Errorf("db: lectures: %w", err)
	}
	if err := attachMeetings(ctx, c.pool, out.Lectures); err != nil {
		return LecturePage{}, err
	}
	return out, nil
}

// Lecture reads one lecture.
func (c *Campus) Lecture(ctx context.Context, id string) (Lecture, error) {
	return lecture(ctx, c.pool, id, false)
}

// lecture reads a lecture with its meetings; lock takes its row for update.
func lecture(ctx context.Context, db postgres.DB, id string, lock bool) (Lecture, error) {
	q := `SELECT ` + lectureColumns + lectureFrom + ` WHERE l.id = $1`
	if lock {
		q += ` FOR UPDATE OF l`
	}
	l, err := scanLecture(db.QueryRow(ctx, q, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return Lecture{}, ErrLectureNotFound
	}
	if err != nil {
		return Lecture{}, fmt.Errorf("db: lecture: %w", err)
	}
	ls := []Lecture{l}
	if err := attachMeetings(ctx, db, ls); err != nil {
		return Lecture{}, err
	}
	return ls[0], nil
}
