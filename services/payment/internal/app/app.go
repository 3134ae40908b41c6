// Package app holds the payment service's use cases. Each owns its
// transaction: it decides what commits together (a status change and the
// event reporting it) and calls providers outside any transaction, so that no
// row lock is held while a provider thinks.
package app

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/zap"

	"github.com/jangteo/jangteo/platform/errs"
	"github.com/jangteo/jangteo/platform/logging"
	"github.com/jangteo/jangteo/services/payment/internal/domain"
	"github.com/jangteo/jangteo/services/payment/internal/provider"
	"github.com/jangteo/jangteo/services/payment/internal/provider/sandbox"
	"github.com/jangteo/jangteo/services/payment/internal/store"
)

// App runs the payment service's use cases.
type App struct {
	pool      *pgxpool.Pool
	providers map[string]provider.Provider
	sandbox   *sandbox.Provider
	log       *zap.Logger
	now       func() time.Time
}

// New returns the use cases over pool with the enabled providers (each is
// wrapped so its calls land in the audit log). sb is the sandbox when it is
// enabled (it must then be among providers), nil otherwise.
func New(pool *pgxpool.Pool, providers []provider.Provider, sb *sandbox.Provider, log *zap.Logger) *App {
	if pool == nil || log == nil {
		panic("app: nil dependency")
	}
	calls := store.NewCalls(pool, log)
	a := &App{pool: pool, providers: map[string]provider.Provider{}, sandbox: sb, log: log, now: time.Now}
	for _, p := range providers {
		a.providers[p.Name()] = provider.Audited(p, calls)
	}
	return a
}

// now is truncated to microseconds, PostgreSQL's precision, so a payment
// reads back as it was written.
func (a *App) clock() time.Time { return a.now().UTC().Truncate(time.Microsecond) }

// provider returns an enabled provider.
func (a *App) provider(name string) (provider.Provider, error) {
	if p, ok := a.providers[name]; ok {
		return p, nil
	}
	names := make([]string, 0, len(a.providers))
	for n := range a.providers {
		names = append(names, n)
	}
	slices.Sort(names)
	e := domain.ErrUnknownProvider.With("payment provider %q is not available; use %s", name, strings.Join(names, ", "))
	e.Fields = []errs.FieldViolation{errs.Field("provider", fmt.Sprintf("must be one of: %s", strings.Join(names, ", ")))}
	return nil, e
}

// toProvider is what a provider call knows about p.
func toProvider(p domain.Payment) provider.Payment {
	return provider.Payment{
		ID: p.ID, OrderID: p.OrderID, OrderNumber: p.OrderNumber, UserID: p.UserID,
		Amount: p.Amount, Currency: p.Currency,
	}
}

// unavailable is the answer when a provider did not answer: nothing changed
// here, and the same request may be retried.
func (a *App) unavailable(ctx context.Context, op string, p domain.Payment, err error) error {
	logging.For(ctx, a.log).Warn("provider call failed", zap.String("operation", op), zap.String("payment_id", p.ID),
		zap.String("provider", p.Provider), zap.Error(err))
	return domain.ErrProviderUnavailable.After(2 * time.Second)
}
