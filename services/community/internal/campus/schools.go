package campus

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/platform/errs"
	"github.com/jangteo/jangteo/platform/postgres"
)

var (
	slugPattern   = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,59}$`)
	domainPattern = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$`)
)

const schoolColumns = `s.id, s.slug, s.name, s.email_domain, s.region`

func scanSchool(row pgx.Row) (School, error) {
	var s School
	err := row.Scan(&s.ID, &s.Slug, &s.Name, &s.EmailDomain, &s.Region)
	return s, err
}

// CreateSchool adds a school (staff).
func (c *Campus) CreateSchool(ctx context.Context, s School) (School, error) {
	s.Name, s.Region = strings.TrimSpace(s.Name), strings.TrimSpace(s.Region)
	s.EmailDomain = strings.ToLower(strings.TrimSpace(s.EmailDomain))
	var v errs.Violations
	if !slugPattern.MatchString(s.Slug) {
		v.Add("slug", "must be 2 to 60 lowercase letters, digits or '-'")
	}
	if s.Name == "" {
		v.Add("name", "must not be empty")
	}
	if s.EmailDomain != "" && !domainPattern.MatchString(s.EmailDomain) {
		v.Add("email_domain", "must be a domain name such as snu.ac.kr")
	}
	if err := v.Err(); err != nil {
		return School{}, err
	}
	s.ID = newID()
	const q = `INSERT INTO schools (id, slug, name, email_domain, region) VALUES ($1, $2, $3, $4, $5)`
	_, err := c.pool.Exec(ctx, q, s.ID, s.Slug, s.Name, s.EmailDomain, s.Region)
	if _, dup := postgres.IsUniqueViolation(err); dup {
		return School{}, ErrSchoolExists.WithFields(errs.Field("slug", fmt.Sprintf("%q is taken", s.Slug)))
	}
	if err != nil {
		return School{}, fmt.Errorf("db: create school: %w", err)
	}
	return s, nil
}

// Schools searches schools by part of the name, slug or region; names that
// start with the query come first.
func (c *Campus) Schools(ctx context.Context, query string, size int) ([]School, error) {
	if size <= 0 {
		size = 20
	}
	const q = `SELECT ` + schoolColumns + ` FROM schools s
		WHERE $1 = '' OR s.name ILIKE $2 OR s.slug ILIKE $2 OR s.region ILIKE $2
		ORDER BY s.name ILIKE $3 DESC, s.name
		LIMIT $4`
	query = strings.TrimSpace(query)
	rows, err := c.pool.Query(ctx, q, query, contains(query), prefix(query), min(size, 100))
	if err != nil {
		return nil, fmt.Errorf("db: schools: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (School, error) { return scanSchool(r) })
}

// School reads a school by slug.
func (c *Campus) School(ctx context.Context, slug string) (School, error) {
	return school(ctx, c.pool, slug)
}

func school(ctx context.Context, db postgres.DB, slug string) (School, error) {
	s, err := scanSchool(db.QueryRow(ctx, `SELECT `+schoolColumns+` FROM schools s WHERE s.slug = $1`, slug))
	if errors.Is(err, pgx.ErrNoRows) {
		return School{}, ErrSchoolNotFound.WithFields(errs.Field("slug", fmt.Sprintf("no school %q", slug)))
	}
	if err != nil {
		return School{}, fmt.Errorf("db: school: %w", err)
	}
	return s, nil
}

// SetSchool records the user's school and admission year. A new school
// starts pending (staff approve it); the same school again keeps the status
// and only changes the year.
func (c *Campus) SetSchool(ctx context.Context, userID, slug string, admissionYear int) (Membership, error) {
	s, err := c.School(ctx, slug)
	if err != nil {
		return Membership{}, err
	}
	const q = `INSERT INTO school_members (user_id, school_id, admission_year, status) VALUES ($1, $2, $3, 'pending')
		ON CONFLICT (user_id) DO UPDATE SET school_id = EXCLUDED.school_id, admission_year = EXCLUDED.admission_year,
			status = CASE WHEN school_members.school_id = EXCLUDED.school_id THEN school_members.status ELSE 'pending' END,
			updated_at = now()
		RETURNING status`
	m := Membership{UserID: userID, School: s, AdmissionYear: admissionYear}
	if err := c.pool.QueryRow(ctx, q, userID, s.ID, admissionYear).Scan(&m.Status); err != nil {
		return Membership{}, fmt.Errorf("db: set school: %w", err)
	}
	return m, nil
}

// MySchool reads the user's membership.
func (c *Campus) MySchool(ctx context.Context, userID string) (Membership, error) {
	const q = `SELECT m.admission_year, m.status, ` + schoolColumns + `
		FROM school_members m JOIN schools s ON s.id = m.school_id WHERE m.user_id = $1`
	m := Membership{UserID: userID}
	err := c.pool.QueryRow(ctx, q, userID).Scan(&m.AdmissionYear, &m.Status,
		&m.School.ID, &m.School.Slug, &m.School.Name, &m.School.EmailDomain, &m.School.Region)
	if errors.Is(err, pgx.ErrNoRows) {
		return Membership{}, ErrMembershipNotFound.With("you have not chosen a school")
	}
	if err != nil {
		return Membership{}, fmt.Errorf("db: my school: %w", err)
	}
	return m, nil
}

// Approve approves a membership of the school (staff); approving twice
// changes nothing.
func (c *Campus) Approve(ctx context.Context, slug, userID string) (Membership, error) {
	const q = `UPDATE school_members m SET status = 'approved', updated_at = now()
		FROM schools s WHERE s.id = m.school_id AND s.slug = $1 AND m.user_id = $2
		RETURNING m.admission_year`
	var year int
	err := c.pool.QueryRow(ctx, q, slug, userID).Scan(&year)
	if errors.Is(err, pgx.ErrNoRows) {
		return Membership{}, ErrMembershipNotFound.With("no membership of %q for this user", slug)
	}
	if err != nil {
		return Membership{}, fmt.Errorf("db: approve member: %w", err)
	}
	return c.MySchool(ctx, userID)
}
