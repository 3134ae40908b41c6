package app

import (
	"context"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/platform/errs"
	"github.com/jangteo/jangteo/services/identity/internal/domain"
)

// RecordHoneypotAttempt records a request to the honeypot admin login and
// reports whether its IP is blocked now.
func (a *App) RecordHoneypotAttempt(ctx context.Context, at domain.HoneypotAttempt) (bool, error) {
	return inTx(ctx, a, func(s Store, _ pgx.Tx) (bool, error) {
		return s.RecordHoneypotAttempt(ctx, at, max(a.cfg.HoneypotBlockAfter, 1))
	})
}

// BlockedIPs lists the blocked IPs.
func (a *App) BlockedIPs(ctx context.Context) ([]string, error) { return a.store.BlockedIPs(ctx) }

// HoneypotAttempts pages the attempts, newest first; the next page token is
// the last attempt's id.
func (a *App) HoneypotAttempts(ctx context.Context, ip, pageToken string, size int) ([]domain.HoneypotAttempt, string, error) {
	if size <= 0 {
		size = 50
	}
	if pageToken != "" && uuid.Validate(pageToken) != nil {
		return nil, "", errs.InvalidFields(errs.Field("page_token", "is not a token this list returned"))
	}
	list, err := a.store.HoneypotAttempts(ctx, ip, pageToken, size+1)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(list) > size {
		list = list[:size]
		next = list[size-1].ID
	}
	return list, next, nil
}

// UnblockIP lifts an IP's block.
func (a *App) UnblockIP(ctx context.Context, ip string) (bool, error) {
	return a.store.UnblockIP(ctx, ip)
}
