package campus

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/platform/errs"
)

// Review is one member's review of a lecture. Reviews are anonymous: no
// author leaves this package, only whether it is the caller's.
type Review struct {
	Rating, Difficulty, Workload int
	TermTaken, Body              string
	Mine                         bool
}

// Reviews lists a lecture's reviews newest first (at most 100) with its
// averages.
func (c *Campus) Reviews(ctx context.Context, viewer, lectureID string) (Summary, []Review, error) {
	l, err := c.Lecture(ctx, lectureID)
	if err != nil {
		return Summary{}, nil, err
	}
	const q = `SELECT rating, difficulty, workload, term_taken, body, user_id = $2 FROM lecture_reviews
		WHERE lecture_id = $1 ORDER BY updated_at DESC, user_id LIMIT 100`
	var v any
	if viewer != "" {
		v = viewer
	}
	rows, err := c.pool.Query(ctx, q, l.ID, v)
	if err != nil {
		return Summary{}, nil, fmt.Errorf("db: reviews: %w", err)
	}
	rs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Review, error) {
		var rv Review
		var mine *bool
		err := r.Scan(&rv.Rating, &rv.Difficulty, &rv.Workload, &rv.TermTaken, &rv.Body, &mine)
		rv.Mine = mine != nil && *mine
		return rv, err
	})
	if err != nil {
		return Summary{}, nil, fmt.Errorf("db: reviews: %w", err)
	}
	return l.Reviews, rs, nil
}

// PutReview writes or rewrites the user's review of a lecture; only
// approved members of the lecture's school review it. The lecture's row is
// locked for the write and its sums recomputed from the reviews, so the
// averages are exact whatever writes race.
func (c *Campus) PutReview(ctx context.Context, userID, lectureID string, r Review) (Review, Summary, error) {
	r.Body = strings.TrimSpace(r.Body)
	var v errs.Violations
	for _, f := range []struct {
		name string
		n    int
	}{{"rating", r.Rating}, {"difficulty", r.Difficulty}, {"workload", r.Workload}} {
		if f.n < 1 || f.n > 5 {
			v.Add(f.name, "must be 1 to 5")
		}
	}
	if utf8.RuneCountInString(r.Body) > 2000 || strings.ContainsRune(r.Body, 0) {
		v.Add("body", "must be at most 2000 characters")
	}
	if err := v.Err(); err != nil {
		return Review{}, Summary{}, err
	}
	var sum Summary
	err := c.inTx(ctx, func(tx pgx.Tx) error {
		l, err := lecture(ctx, tx, lectureID, true)
		if err != nil {
			return err
		}
		ok, err := member(ctx, tx, userID, l.SchoolID)
		if err != nil {
			return err
		}
		if !ok {
			return membersOnly("review its lectures")
		}
		const upsert = `INSERT INTO lecture_reviews (lecture_id, user_id, rating, difficulty, workload, term_taken, body)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (lecture_id, user_id) DO UPDATE SET rating = EXCLUDED.rating, difficulty = EXCLUDED.difficulty,
				workload = EXCLUDED.workload, term_taken = EXCLUDED.term_taken, body = EXCLUDED.body, updated_at = now()`
		if _, err := tx.Exec(ctx, upsert, l.ID, userID, r.Rating, r.Difficulty, r.Workload, r.TermTaken, r.Body); err != nil {
			return fmt.Errorf("db: put review: %w", err)
		}
		const sums = `UPDATE lectures l SET (review_count, rating_sum, difficulty_sum, workload_sum) =
				(SELECT count(*), coalesce(sum(rating), 0), coalesce(sum(difficulty), 0), coalesce(sum(workload), 0)
				 FROM lecture_reviews r WHERE r.lecture_id = l.id)
			WHERE l.id = $1
			RETURNING review_count, rating_sum, difficulty_sum, workload_sum`
		var n, rating, diff, work int
		if err := tx.QueryRow(ctx, sums, l.ID).Scan(&n, &rating, &diff, &work); err != nil {
			return fmt.Errorf("db: review sums: %w", err)
		}
		sum = summary(n, rating, diff, work)
		return nil
	})
	if err != nil {
		return Review{}, Summary{}, err
	}
	r.Mine = true
	return r, sum, nil
}
