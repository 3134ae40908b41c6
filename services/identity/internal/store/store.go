// Package store keeps identity's accounts, sessions, addresses, throttling and
// honeypot records in PostgreSQL. A Store runs its queries on the pool or on
// the transaction of the use case that made it; it never opens a transaction
// or writes an event itself. Methods that take several statements say so:
// their use case runs them in a transaction.
package store

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/services/identity/internal/domain"
)

// Migrations are the identity schema's numbered SQL files.
//
//go:embed migrations/*.sql
var Migrations embed.FS

// Store is identity's PostgreSQL store.
type Store struct {
	db postgres.DB
}

// New returns a store running on db: the pool, or a use case's transaction.
func New(db postgres.DB) *Store { return &Store{db: db} }

func newID() string { return uuid.Must(uuid.NewV7()).String() }

const userColumns = `u.id, coalesce(u.email, ''), u.email_verified_at IS NOT NULL, coalesce(u.username, ''), u.name,
	u.phone, u.avatar_url, coalesce(u.password_hash, ''), u.roles, u.status,
	array(SELECT provider FROM social_accounts sa WHERE sa.user_id = u.id ORDER BY provider),
	u.created_at, u.updated_at, coalesce(u.school_id::text, ''), u.school_slug, u.school_name, u.admission_year`

func scanUser(r pgx.Row) (domain.User, error) {
	var u domain.User
	err := r.Scan(&u.ID, &u.Email, &u.EmailVerified, &u.Username, &u.Name, &u.Phone, &u.AvatarURL,
		&u.PasswordHash, &u.Roles, &u.Status, &u.Providers, &u.CreatedAt, &u.UpdatedAt,
		&u.School.ID, &u.School.Slug, &u.School.Name, &u.School.AdmissionYear)
	if errors.Is(err, pgx.ErrNoRows) {
		return u, domain.ErrUserNotFound
	}
	if err != nil {
		return u, fmt.Errorf("db: user: %w", err)
	}
	return u, nil
}

func (s *Store) userWhere(ctx context.Context, db postgres.DB, where string, arg any) (domain.User, error) {
	return scanUser(db.QueryRow(ctx, `SELECT `+userColumns+` FROM users u WHERE `+where, arg))
}

// UserByID returns the user with id.
func (s *Store) UserByID(ctx context.Context, id string) (domain.User, error) {
	if uuid.Validate(id) != nil {
		return domain.User{}, domain.ErrUserNotFound
	}
	return s.userWhere(ctx, s.db, `u.id = $1`, id)
}

// UserByEmail returns the user with email, ignoring case.
func (s *Store) UserByEmail(ctx context.Context, email string) (domain.User, error) {
	return s.userWhere(ctx, s.db, `lower(u.email) = lower($1)`, email)
}

// CreateUser inserts u and returns it as stored. provider names the social
// provider for a social sign-up; subject and the provider's email are then
// linked too. Several statements: run it in a transaction.
func (s *Store) CreateUser(ctx context.Context, u domain.User, provider, subject, providerEmail string) (domain.User, error) {
	u.ID = newID()
	const q = `INSERT INTO users (id, email, email_verified_at, username, name, phone, avatar_url, password_hash, roles, status)
		VALUES ($1, NULLIF($2, ''), CASE WHEN $3 THEN now() END, NULLIF($4, ''), $5, $6, $7, NULLIF($8, ''), $9, $10)`
	if _, err := s.db.Exec(ctx, q, u.ID, u.Email, u.EmailVerified, u.Username, u.Name, u.Phone, u.AvatarURL,
		u.PasswordHash, domain.NormalizeRoles(u.Roles), u.Status); err != nil {
		return domain.User{}, translate(err)
	}
	if provider != "" {
		if err := linkSocial(ctx, s.db, u.ID, provider, subject, providerEmail); err != nil {
			return domain.User{}, err
		}
	}
	return s.UserByID(ctx, u.ID)
}

// EnsureAdmin creates, or resets the password of, an active and verified
// account with every role.
func (s *Store) EnsureAdmin(ctx context.Context, email, name, passwordHash string) error {
	const q = `INSERT INTO users (id, email, email_verified_at, name, password_hash, roles, status)
		VALUES ($1, $2, now(), $3, $4, '{customer,staff,admin}', 'active')
		ON CONFLICT ((lower(email))) DO UPDATE SET
			password_hash = EXCLUDED.password_hash, roles = EXCLUDED.roles, status = 'active',
			email_verified_at = coalesce(users.email_verified_at, now()), updated_at = now()`
	if _, err := s.db.Exec(ctx, q, newID(), email, name, passwordHash); err != nil {
		return fmt.Errorf("db: ensure admin: %w", err)
	}
	return nil
}

// UpdateProfile applies c to the user's profile.
func (s *Store) UpdateProfile(ctx context.Context, userID string, c domain.ProfileChange) (domain.User, error) {
	const q = `UPDATE users SET
			name = coalesce($2, name),
			phone = coalesce($3, phone),
			avatar_url = coalesce($4, avatar_url),
			username = CASE WHEN $5::text IS NULL THEN username ELSE NULLIF($5, '') END,
			updated_at = now()
		WHERE id = $1`
	tag, err := s.db.Exec(ctx, q, userID, c.Name, c.Phone, c.AvatarURL, c.Username)
	if err := translate(err); err != nil {
		return domain.User{}, err
	}
	if tag.RowsAffected() == 0 {
		return domain.User{}, domain.ErrUserNotFound
	}
	return s.UserByID(ctx, userID)
}

// SetSchool records the user's confirmed school (a zero School clears it)
// as of at; a change older than the one applied last changes nothing, nor
// does an unknown user.
func (s *Store) SetSchool(ctx context.Context, userID string, school domain.School, at time.Time) error {
	const q = `UPDATE users SET school_id = $2, school_slug = $3, school_name = $4, admission_year = $5, school_changed_at = $6
		WHERE id = $1 AND (school_changed_at IS NULL OR school_changed_at < $6)`
	var id *string
	if school.ID != "" {
		id = &school.ID
	}
	if _, err := s.db.Exec(ctx, q, userID, id, school.Slug, school.Name, school.AdmissionYear, at); err != nil {
		return fmt.Errorf("db: set school: %w", err)
	}
	return nil
}

// ReplacePasswordHash swaps oldHash for newHash (the same password hashed
// with new parameters); it does nothing when the password changed meanwhile.
func (s *Store) ReplacePasswordHash(ctx context.Context, userID, oldHash, newHash string) error {
	const q = `UPDATE users SET password_hash = $3 WHERE id = $1 AND password_hash = $2`
	if _, err := s.db.Exec(ctx, q, userID, oldHash, newHash); err != nil {
		return fmt.Errorf("db: replace password hash: %w", err)
	}
	return nil
}

// SetPassword replaces the user's password hash; with revoke, every refresh
// token of the user stops working too. Several statements: run it in a
// transaction.
func (s *Store) SetPassword(ctx context.Context, userID, hash string, revoke bool) error {
	tag, err := s.db.Exec(ctx, `UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1`, userID, hash)
	if err != nil {
		return fmt.Errorf("db: set password: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return domain.ErrUserNotFound
	}
	if revoke {
		_, err = revokeAll(ctx, s.db, userID)
	}
	return err
}

// SetStatus changes the user's status; disabling revokes every refresh token
// too. Several statements: run it in a transaction.
func (s *Store) SetStatus(ctx context.Context, userID, status string) (domain.User, error) {
	tag, err := s.db.Exec(ctx, `UPDATE users SET status = $2, updated_at = now() WHERE id = $1`, userID, status)
	if err != nil {
		return domain.User{}, fmt.Errorf("db: set status: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return domain.User{}, domain.ErrUserNotFound
	}
	if status == domain.StatusDisabled {
		if _, err := revokeAll(ctx, s.db, userID); err != nil {
			return domain.User{}, err
		}
	}
	return s.UserByID(ctx, userID)
}

// SetRoles replaces the user's roles.
func (s *Store) SetRoles(ctx context.Context, userID string, roles []string) (domain.User, error) {
	tag, err := s.db.Exec(ctx, `UPDATE users SET roles = $2, updated_at = now() WHERE id = $1`, userID, domain.NormalizeRoles(roles))
	if err != nil {
		return domain.User{}, fmt.Errorf("db: set roles: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return domain.User{}, domain.ErrUserNotFound
	}
	return s.UserByID(ctx, userID)
}

// Users returns one page of users matching f, newest first, and the number of matches.
func (s *Store) Users(ctx context.Context, f domain.UserFilter) ([]domain.User, int64, error) {
	const where = `($1 = '' OR u.email ILIKE $1 OR u.name ILIKE $1 OR u.username ILIKE $1) AND ($2 = '' OR u.status = $2)`
	pattern := ""
	if q := strings.TrimSpace(f.Query); q != "" {
		pattern = "%" + likeEscaper.Replace(q) + "%"
	}
	var total int64
	if err := s.db.QueryRow(ctx, `SELECT count(*) FROM users u WHERE `+where, pattern, f.Status).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("db: count users: %w", err)
	}
	rows, err := s.db.Query(ctx, `SELECT `+userColumns+` FROM users u WHERE `+where+`
		ORDER BY u.created_at DESC, u.id DESC LIMIT $3 OFFSET $4`, pattern, f.Status, f.Page.Size, f.Page.Offset())
	if err != nil {
		return nil, 0, fmt.Errorf("db: users: %w", err)
	}
	users, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.User, error) { return scanUser(r) })
	if err != nil {
		return nil, 0, fmt.Errorf("db: users: %w", err)
	}
	return users, total, nil
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// CreateOneTimeToken stores the hash of a mailed single-use token.
func (s *Store) CreateOneTimeToken(ctx context.Context, purpose, userID string, hash []byte, expires time.Time) error {
	const q = `INSERT INTO one_time_tokens (hash, purpose, user_id, expires_at) VALUES ($1, $2, $3, $4)`
	if _, err := s.db.Exec(ctx, q, hash, purpose, userID, expires); err != nil {
		return fmt.Errorf("db: one-time token: %w", err)
	}
	return nil
}

// consumeToken marks a valid, unused token used and returns its user; a
// second use of the same token finds no row, however close the race.
func (s *Store) consumeToken(ctx context.Context, purpose string, hash []byte) (string, error) {
	const q = `UPDATE one_time_tokens SET used_at = now()
		WHERE hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()
		RETURNING user_id`
	var userID string
	err := s.db.QueryRow(ctx, q, hash, purpose).Scan(&userID)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", domain.ErrLinkInvalid
	}
	if err != nil {
		return "", fmt.Errorf("db: consume token: %w", err)
	}
	return userID, nil
}

// VerifyEmail consumes a verification token and activates its pending
// account; verified reports whether this call verified the email (false when
// it already was). Several statements: run it in a transaction.
func (s *Store) VerifyEmail(ctx context.Context, hash []byte) (u domain.User, verified bool, err error) {
	userID, err := s.consumeToken(ctx, "verify", hash)
	if err != nil {
		return domain.User{}, false, err
	}
	const q = `UPDATE users SET status = CASE WHEN status = 'pending_verification' THEN 'active' ELSE status END,
			email_verified_at = now(), updated_at = now()
		WHERE id = $1 AND email_verified_at IS NULL`
	tag, err := s.db.Exec(ctx, q, userID)
	if err != nil {
		return domain.User{}, false, fmt.Errorf("db: verify: %w", err)
	}
	if u, err = s.UserByID(ctx, userID); err != nil {
		return domain.User{}, false, err
	}
	return u, tag.RowsAffected() == 1, nil
}

// ResetPassword consumes a reset token, sets the password and revokes every
// session. The mailed link proves control of the email, so a pending account
// becomes active and verified. Several statements: run it in a transaction.
func (s *Store) ResetPassword(ctx context.Context, hash []byte, passwordHash string) (domain.User, error) {
	userID, err := s.consumeToken(ctx, "reset", hash)
	if err != nil {
		return domain.User{}, err
	}
	const q = `UPDATE users SET password_hash = $2,
			status = CASE WHEN status = 'pending_verification' THEN 'active' ELSE status END,
			email_verified_at = coalesce(email_verified_at, now()), updated_at = now()
		WHERE id = $1`
	if _, err := s.db.Exec(ctx, q, userID, passwordHash); err != nil {
		return domain.User{}, fmt.Errorf("db: reset password: %w", err)
	}
	if _, err := revokeAll(ctx, s.db, userID); err != nil {
		return domain.User{}, err
	}
	return s.UserByID(ctx, userID)
}

// translate turns constraint violations into identity's sentinels.
func translate(err error) error {
	if err == nil {
		return nil
	}
	if c, ok := postgres.IsUniqueViolation(err); ok {
		switch c {
		case "users_email_key":
			return fmt.Errorf("db: %w", domain.ErrEmailTaken)
		case "users_username_key":
			return fmt.Errorf("db: %w", domain.ErrUsernameTaken)
		case "social_accounts_pkey":
			return fmt.Errorf("db: %w", domain.ErrSocialTaken)
		}
	}
	return fmt.Errorf("db: %w", err)
}
