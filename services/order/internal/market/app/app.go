// Package app holds the resale market's use cases: placing asks and bids
// (matched at once against the book), buying and selling now, cancelling,
// expiring, the trade's order paid or cancelled, and the caller's lists.
// Each use case owns its transaction; a trade's order, its timer and every
// event are written in the transaction that makes the trade.
package app

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/zap"

	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/platform/service"
	orderapp "github.com/jangteo/jangteo/services/order/internal/app"
	"github.com/jangteo/jangteo/services/order/internal/market/domain"
	"github.com/jangteo/jangteo/services/order/internal/market/store"
)

// Catalog describes variants (the order service's catalog adapter).
type Catalog interface {
	Variants(ctx context.Context, ids []string) (map[string]orderapp.Variant, error)
}

// Timers schedule the deadlines of offers or of orders in the caller's
// transaction, so a timer exists exactly when its subject does.
type Timers interface {
	// Expiry is the job that ends id at at.
	Expiry(id string, at time.Time) service.Deadline
	// ExpireAll schedules ends in tx, in one statement.
	ExpireAll(ctx context.Context, tx pgx.Tx, ends []service.Deadline) error
}

// Config are the market's rules.
type Config struct {
	Fees domain.Fees
	// PaymentWindow is how long a trade's buyer has to pay its order.
	PaymentWindow time.Duration
}

// Deps are the ports App needs.
type Deps struct {
	Store       *store.Store
	Catalog     Catalog
	Products    Products
	OfferTimers Timers // ends asks and bids
	OrderTimers Timers // ends a trade's order's payment window
	// Matching is the pool of the matcher's transactions, apart from the
	// requests' so a batch never waits behind them (Store's pool when nil).
	Matching *pgxpool.Pool
}

// App runs the market's use cases.
type App struct {
	deps    Deps
	cfg     Config
	log     *zap.Logger
	now     func() time.Time
	matcher *matcher
}

// New returns the market's use cases.
func New(d Deps, cfg Config, log *zap.Logger) *App {
	a := &App{deps: d, cfg: cfg, log: log, now: time.Now}
	a.matcher = newMatcher(a)
	return a
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

func (a *App) clock() time.Time { return a.now().UTC().Truncate(time.Microsecond) }

func (a *App) tx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return postgres.InTx(ctx, a.deps.Store.Pool(), fn)
}

// variant describes one catalog variant; an unknown one is VARIANT_NOT_FOUND.
func (a *App) variant(ctx context.Context, id string) (orderapp.Variant, error) {
	vs, err := a.deps.Catalog.Variants(ctx, []string{id})
	if err != nil {
		return orderapp.Variant{}, err
	}
	v, ok := vs[id]
	if !ok {
		return orderapp.Variant{}, domain.ErrVariantNotFound.With("variant %s not found", id)
	}
	return v, nil
}
