package app

import (
	"context"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/services/identity/internal/domain"
)

// UserList is one page of users.
type UserList struct {
	Users      []domain.User
	TotalCount int64
	TotalPages int
	Page       int
}

// Users searches and pages the accounts.
func (a *App) Users(ctx context.Context, f domain.UserFilter) (UserList, error) {
	users, total, err := a.store.Users(ctx, f)
	if err != nil {
		return UserList{}, err
	}
	return UserList{Users: users, TotalCount: total, TotalPages: f.Page.TotalPages(total), Page: f.Page.Number}, nil
}

// DisableUser disables an account and revokes its refresh tokens; an admin
// cannot disable themselves.
func (a *App) DisableUser(ctx context.Context, actorID, userID string) (domain.User, error) {
	if actorID == userID {
		return domain.User{}, domain.ErrSelfChange
	}
	if _, err := a.store.UserByID(ctx, userID); err != nil {
		return domain.User{}, err
	}
	return a.setStatus(ctx, userID, domain.StatusDisabled)
}

// EnableUser makes a disabled account active again (a pending one stays pending).
func (a *App) EnableUser(ctx context.Context, userID string) (domain.User, error) {
	u, err := a.store.UserByID(ctx, userID)
	if err != nil || u.Status != domain.StatusDisabled {
		return u, err
	}
	status := domain.StatusActive
	if !u.EmailVerified && u.PasswordHash != "" && len(u.Providers) == 0 {
		status = domain.StatusPending
	}
	return a.setStatus(ctx, userID, status)
}

// setStatus changes the user's status; disabling also revokes every session.
func (a *App) setStatus(ctx context.Context, userID, status string) (domain.User, error) {
	return inTx(ctx, a, func(s Store, _ pgx.Tx) (domain.User, error) {
		return s.SetStatus(ctx, userID, status)
	})
}

// SetRoles sets the user's roles (customer is always kept); an admin cannot
// drop their own admin role.
func (a *App) SetRoles(ctx context.Context, actorID, userID string, roles []string) (domain.User, error) {
	if actorID == userID && !slices.Contains(roles, domain.RoleAdmin) {
		return domain.User{}, domain.ErrSelfChange
	}
	return a.store.SetRoles(ctx, userID, roles)
}
