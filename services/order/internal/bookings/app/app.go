// Package app holds space rental's use cases: holding a slot of a catalog
// space, paying, confirming and cancelling. Each owns its transaction; the
// database's exclusion constraint decides between bookings of one slot.
package app

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"go.uber.org/zap"

	paymentv1 "github.com/jangteo/jangteo/gen/go/jangteo/payment/v1"
	"github.com/jangteo/jangteo/services/order/internal/bookings/domain"
	"github.com/jangteo/jangteo/services/order/internal/bookings/store"
)

// Store runs transactions and reads outside them.
type Store interface {
	Tx(ctx context.Context, fn func(tx pgx.Tx) error) error
	Pool() store.DB
}

// Timers schedules the end of a booking's hold and its completion.
type Timers interface {
	ExpireAt(ctx context.Context, tx pgx.Tx, bookingID string, at time.Time) error
	CompleteAt(ctx context.Context, tx pgx.Tx, bookingID string, at time.Time) error
}

// Spaces reads spaces from the catalog.
type Spaces interface {
	// Bookable reads a space by slug or id and, when option is set, that
	// option on date with its price and slot; the catalog's client-facing
	// errors (SPACE_NOT_FOUND, a bad date or option) pass through.
	Bookable(ctx context.Context, key, date, option string) (domain.Space, error)
}

// PaymentRequest is a guest's request to pay a booking.
type PaymentRequest struct {
	Provider, ReturnURL, CancelURL, IdempotencyKey string
}

// Payments starts and refunds payments of bookings at the payment service.
type Payments interface {
	Create(ctx context.Context, b domain.Booking, r PaymentRequest) (*paymentv1.Payment, error)
	// Refund gives amount of the payment back and returns the refunded total.
	Refund(ctx context.Context, paymentID string, amount int64, reason, key string) (int64, error)
}

// Config is space rental's configuration.
type Config struct {
	Hold   time.Duration // how long a booking waits for payment
	Cancel domain.CancelPolicy
}

// App runs the use cases.
type App struct {
	store    Store
	spaces   Spaces
	timers   Timers
	payments Payments
	mailer   Mailer
	cfg      Config
	log      *zap.Logger
	clock    func() time.Time
}

// New returns the use cases.
func New(s Store, sp Spaces, t Timers, p Payments, m Mailer, cfg Config, log *zap.Logger) *App {
	return &App{store: s, spaces: sp, timers: t, payments: p, mailer: m, cfg: cfg, log: log, clock: time.Now}
}
