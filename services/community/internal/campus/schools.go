package campus

import (
	"context"
	"errors"
	"fmt"
	netmail "net/mail"
	"net/url"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5"
	"google.golang.org/protobuf/types/known/timestamppb"

	communityv1 "github.com/jangteo/jangteo/gen/go/jangteo/community/v1"
	"github.com/jangteo/jangteo/platform/errs"
	"github.com/jangteo/jangteo/platform/events"
	"github.com/jangteo/jangteo/platform/mail"
	"github.com/jangteo/jangteo/platform/opaque"
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

func schoolByID(ctx context.Context, db postgres.DB, id string) (School, error) {
	s, err := scanSchool(db.QueryRow(ctx, `SELECT `+schoolColumns+` FROM schools s WHERE s.id = $1`, id))
	if err != nil {
		return School{}, fmt.Errorf("db: school %s: %w", id, err)
	}
	return s, nil
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

// SubjectSchoolEmailRequested is published when a member names a school
// address; the mail consumer sends its link.
const SubjectSchoolEmailRequested = "community.school_email_verification_requested"

// SetSchool records the user's school and admission year. At a school with
// an email domain the user names their address on it and a link is mailed
// (through the outbox: SubjectSchoolEmailRequested); elsewhere staff approve.
// A new school or address starts pending; the same again keeps the status
// and only changes the year.
func (c *Campus) SetSchool(ctx context.Context, userID, slug string, admissionYear int, email string) (Membership, error) {
	s, err := c.School(ctx, slug)
	if err != nil {
		return Membership{}, err
	}
	m := Membership{UserID: userID, School: s, AdmissionYear: admissionYear, JoinMethod: ByStaff}
	if s.EmailDomain != "" {
		m.JoinMethod, m.SchoolEmail = ByEmail, strings.ToLower(strings.TrimSpace(email))
		if !onDomain(m.SchoolEmail, s.EmailDomain) {
			return Membership{}, ErrInvalid.WithFields(errs.Field("school_email",
				fmt.Sprintf("%s members join with their address on %s", s.Name, s.EmailDomain)))
		}
	}
	err = c.inTx(ctx, func(tx pgx.Tx) error {
		// Leaving an approved school (or a new year at it) is news for identity.
		was, err := lockedStatus(ctx, tx, userID)
		if err != nil {
			return err
		}
		const q = `INSERT INTO school_members (user_id, school_id, admission_year, status, join_method, school_email)
			VALUES ($1, $2, $3, 'pending', $4, $5)
			ON CONFLICT (user_id) DO UPDATE SET school_id = EXCLUDED.school_id, admission_year = EXCLUDED.admission_year,
				status = CASE WHEN school_members.school_id = EXCLUDED.school_id AND school_members.school_email = EXCLUDED.school_email
					THEN school_members.status ELSE 'pending' END,
				join_method = EXCLUDED.join_method, school_email = EXCLUDED.school_email, updated_at = now()
			RETURNING status`
		if err := tx.QueryRow(ctx, q, userID, s.ID, admissionYear, m.JoinMethod, m.SchoolEmail).Scan(&m.Status); err != nil {
			return fmt.Errorf("db: set school: %w", err)
		}
		if was == Approved {
			// Approved again (a new year) or no longer (another school or address).
			if err := c.membershipChanged(ctx, tx, m); err != nil {
				return err
			}
		}
		if m.Status != Pending || m.JoinMethod != ByEmail {
			return nil
		}
		_, err = events.Enqueue(ctx, tx, SubjectSchoolEmailRequested, &communityv1.SchoolEmailVerificationRequested{
			UserId: userID, SchoolId: s.ID, SchoolName: s.Name, Email: m.SchoolEmail, OccurTime: timestamppb.New(c.now()),
		})
		return err
	})
	if err != nil {
		return Membership{}, err
	}
	return m, nil
}

// onDomain reports whether email is an address on domain or a subdomain of
// it (students of snu.ac.kr may have @cse.snu.ac.kr).
func onDomain(email, domain string) bool {
	addr, err := netmail.ParseAddress(email)
	if err != nil || addr.Address != email {
		return false
	}
	_, host, _ := strings.Cut(email, "@")
	return host == domain || strings.HasSuffix(host, "."+domain)
}

const membershipSelect = `SELECT m.user_id, m.admission_year, m.status, m.join_method, m.school_email, ` + schoolColumns + `
	FROM school_members m JOIN schools s ON s.id = m.school_id`

func scanMembership(row pgx.Row) (Membership, error) {
	var m Membership
	err := row.Scan(&m.UserID, &m.AdmissionYear, &m.Status, &m.JoinMethod, &m.SchoolEmail,
		&m.School.ID, &m.School.Slug, &m.School.Name, &m.School.EmailDomain, &m.School.Region)
	return m, err
}

// MySchool reads the user's membership.
func (c *Campus) MySchool(ctx context.Context, userID string) (Membership, error) {
	m, err := scanMembership(c.pool.QueryRow(ctx, membershipSelect+` WHERE m.user_id = $1`, userID))
	if errors.Is(err, pgx.ErrNoRows) {
		return Membership{}, ErrMembershipNotFound.With("you have not chosen a school")
	}
	if err != nil {
		return Membership{}, fmt.Errorf("db: my school: %w", err)
	}
	return m, nil
}

// Approve approves a membership of the school (staff) and tells identity
// (SubjectMembershipChanged); approving twice changes nothing and publishes
// nothing.
func (c *Campus) Approve(ctx context.Context, slug, userID string) (Membership, error) {
	var m Membership
	err := c.inTx(ctx, func(tx pgx.Tx) error {
		const q = `UPDATE school_members m SET status = 'approved', updated_at = now()
			FROM schools s WHERE s.id = m.school_id AND s.slug = $1 AND m.user_id = $2 AND m.status = 'pending'`
		tag, err := tx.Exec(ctx, q, slug, userID)
		if err != nil {
			return fmt.Errorf("db: approve member: %w", err)
		}
		m, err = scanMembership(tx.QueryRow(ctx, membershipSelect+` WHERE m.user_id = $1 AND s.slug = $2`, userID, slug))
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && m.Status != Approved) {
			return ErrMembershipNotFound.With("no membership of %q for this user", slug)
		}
		if err != nil {
			return fmt.Errorf("db: membership: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return nil // approved before
		}
		return c.membershipChanged(ctx, tx, m)
	})
	return m, err
}

// SchoolEmailConsumer mails school email links.
var SchoolEmailConsumer = events.ConsumerConfig{
	Name:     "community-school-email",
	Service:  "community",
	Subjects: []string{SubjectSchoolEmailRequested},
	Alone:    true, // it mails
}

// MailSchoolEmail creates a one-time link (only its SHA-256 is kept),
// commits it, then mails it; a failed delivery is retried with a new link.
func (c *Campus) MailSchoolEmail(ctx context.Context, _ pgx.Tx, d events.Delivery) error {
	var ev communityv1.SchoolEmailVerificationRequested
	if err := d.Decode(&ev); err != nil {
		return err
	}
	tok, hash := opaque.New()
	const q = `INSERT INTO school_email_tokens (hash, user_id, school_id, email, expires_at) VALUES ($1, $2, $3, $4, $5)`
	if _, err := c.pool.Exec(ctx, q, hash, ev.GetUserId(), ev.GetSchoolId(), ev.GetEmail(), c.now().Add(c.linkTTL)); err != nil {
		return fmt.Errorf("db: school email token: %w", err)
	}
	link := c.publicURL + "/verify-school-email?token=" + url.QueryEscape(tok)
	return c.mailer.Send(ctx, mail.Message{
		To:      ev.GetEmail(),
		Subject: "[장터] 학교 이메일 인증 / Verify your school email",
		Text: fmt.Sprintf("%s 학교 인증을 완료하려면 아래 링크를 여세요.\n\n"+
			"Open this link to confirm you study at %s:\n%s\n\n"+
			"Or send the token below to POST /v1/school-email:verify:\n%s\n\n"+
			"The link works once and expires in 24 hours. If you did not ask for it, ignore this mail.\n",
			ev.GetSchoolName(), ev.GetSchoolName(), link, tok),
	})
}

// VerifySchoolEmail spends a school email link and approves the membership
// it was sent for, while the member still names that school and address.
func (c *Campus) VerifySchoolEmail(ctx context.Context, token string) (Membership, error) {
	if !opaque.WellFormed(token) {
		return Membership{}, ErrLinkInvalid
	}
	var userID string
	err := c.inTx(ctx, func(tx pgx.Tx) error {
		const spend = `UPDATE school_email_tokens SET used_at = now()
			WHERE hash = $1 AND used_at IS NULL AND expires_at > now()
			RETURNING user_id, school_id, email`
		var schoolID, email string
		err := tx.QueryRow(ctx, spend, opaque.Hash(token)).Scan(&userID, &schoolID, &email)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrLinkInvalid
		}
		if err != nil {
			return fmt.Errorf("db: spend school email token: %w", err)
		}
		// A second link of the same address approves again, quietly.
		was, err := lockedStatus(ctx, tx, userID)
		if err != nil {
			return err
		}
		const approve = `UPDATE school_members SET status = 'approved', updated_at = now()
			WHERE user_id = $1 AND school_id = $2 AND school_email = $3
			RETURNING admission_year`
		m := Membership{UserID: userID, Status: Approved}
		err = tx.QueryRow(ctx, approve, userID, schoolID, email).Scan(&m.AdmissionYear)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrLinkInvalid.With("this link is for a school or address you no longer use")
		}
		if err != nil {
			return fmt.Errorf("db: approve by email: %w", err)
		}
		if was == Approved {
			return nil
		}
		if m.School, err = schoolByID(ctx, tx, schoolID); err != nil {
			return err
		}
		return c.membershipChanged(ctx, tx, m)
	})
	if err != nil {
		return Membership{}, err
	}
	return c.MySchool(ctx, userID)
}
