package campus

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"google.golang.org/protobuf/types/known/timestamppb"

	communityv1 "github.com/jangteo/jangteo/gen/go/jangteo/community/v1"
	"github.com/jangteo/jangteo/platform/errs"
	"github.com/jangteo/jangteo/platform/events"
)

// SubjectMembershipChanged is published when a membership is approved (by
// the school email link or by staff) and when an approved member picks
// another school or address; identity keeps the user's school from it.
const SubjectMembershipChanged = "community.school_membership_changed"

// membershipChanged enqueues SubjectMembershipChanged for m in tx, keyed by
// the member so a consumer applies one member's changes in order.
func (c *Campus) membershipChanged(ctx context.Context, tx pgx.Tx, m Membership) error {
	ev := &communityv1.SchoolMembershipChanged{UserId: m.UserID, OccurTime: timestamppb.New(c.now())}
	if m.Status == Approved {
		ev.Approved, ev.SchoolId, ev.SchoolSlug, ev.SchoolName = true, m.School.ID, m.School.Slug, m.School.Name
		ev.AdmissionYear = int32(m.AdmissionYear)
	}
	_, err := events.Enqueue(ctx, tx, SubjectMembershipChanged, ev, events.Aggregate(m.UserID))
	return err
}

// lockedStatus locks the member's membership for the rest of tx and
// returns its status ("" without one), so changes of one member line up.
func lockedStatus(ctx context.Context, tx pgx.Tx, userID string) (string, error) {
	var status string
	err := tx.QueryRow(ctx, `SELECT status FROM school_members WHERE user_id = $1 FOR UPDATE`, userID).Scan(&status)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("db: membership status: %w", err)
	}
	return status, nil
}

// Decline removes a pending membership of the school (staff); the member
// may choose a school again. An approved or unknown one is not found.
func (c *Campus) Decline(ctx context.Context, slug, userID string) error {
	const q = `DELETE FROM school_members m USING schools s
		WHERE s.id = m.school_id AND s.slug = $1 AND m.user_id = $2 AND m.status = 'pending'`
	tag, err := c.pool.Exec(ctx, q, slug, userID)
	if err != nil {
		return fmt.Errorf("db: decline member: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return ErrMembershipNotFound.With("no pending membership of %q for this user", slug)
	}
	return nil
}

// PendingMember is a membership awaiting approval with who asked, as the
// community's profiles know them.
type PendingMember struct {
	Membership
	Username, Name string
	RequestedAt    time.Time
}

// PendingPage is a page of pending memberships.
type PendingPage struct {
	Members []PendingMember
	Page    int
	Total   int
}

// Pending pages the memberships awaiting approval, oldest request first,
// of one school (slug) or of every school (empty).
func (c *Campus) Pending(ctx context.Context, slug string, page, size int) (PendingPage, error) {
	if size <= 0 {
		size = 20
	}
	out := PendingPage{Page: max(page, 1)}
	var schoolID *string
	if slug != "" {
		s, err := c.School(ctx, slug)
		if errors.Is(err, ErrSchoolNotFound) {
			return PendingPage{}, ErrSchoolNotFound.WithFields(errs.Field("school", fmt.Sprintf("no school %q", slug)))
		}
		if err != nil {
			return PendingPage{}, err
		}
		schoolID = &s.ID
	}
	const where = ` WHERE m.status = 'pending' AND ($1::uuid IS NULL OR m.school_id = $1)`
	if err := c.pool.QueryRow(ctx, `SELECT count(*) FROM school_members m`+where, schoolID).Scan(&out.Total); err != nil {
		return PendingPage{}, fmt.Errorf("db: count pending members: %w", err)
	}
	const sel = `SELECT m.user_id, m.admission_year, m.status, m.join_method, m.school_email, ` + schoolColumns + `,
			coalesce(p.username, ''), coalesce(p.name, ''), m.updated_at
		FROM school_members m JOIN schools s ON s.id = m.school_id
		LEFT JOIN profiles p ON p.user_id = m.user_id` + where + `
		ORDER BY m.updated_at, m.user_id LIMIT $2 OFFSET $3`
	rows, err := c.pool.Query(ctx, sel, schoolID, size, (out.Page-1)*size)
	if err != nil {
		return PendingPage{}, fmt.Errorf("db: pending members: %w", err)
	}
	out.Members, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (PendingMember, error) {
		var pm PendingMember
		m := &pm.Membership
		err := r.Scan(&m.UserID, &m.AdmissionYear, &m.Status, &m.JoinMethod, &m.SchoolEmail,
			&m.School.ID, &m.School.Slug, &m.School.Name, &m.School.EmailDomain, &m.School.Region,
			&pm.Username, &pm.Name, &pm.RequestedAt)
		return pm, err
	})
	if err != nil {
		return PendingPage{}, fmt.Errorf("db: pending members: %w", err)
	}
	return out, nil
}
