package app

import (
	"context"
	"time"
)

// pruneStore forgets what no rule needs any more.
type pruneStore interface {
	PruneAttempts(ctx context.Context, before time.Time) (int64, error)
	PruneTokens(ctx context.Context, before time.Time) (int64, error)
}

// TokenGrace is how long expired tokens are kept: a refresh token presented
// shortly after it expired still finds its row (and its family).
const TokenGrace = 7 * 24 * time.Hour

// PruneTokens forgets mailed-link and refresh tokens expired for TokenGrace.
func (a *App) PruneTokens(ctx context.Context) (int64, error) {
	return a.store.PruneTokens(ctx, a.now().Add(-TokenGrace))
}

// PruneAttemptsArgs is the periodic job that runs PruneAttempts.
type PruneAttemptsArgs struct{}

// Kind names the job.
func (PruneAttemptsArgs) Kind() string { return "identity_prune_attempts" }

// PruneTokensArgs is the periodic job that runs PruneTokens.
type PruneTokensArgs struct{}

// Kind names the job.
func (PruneTokensArgs) Kind() string { return "identity_prune_tokens" }
