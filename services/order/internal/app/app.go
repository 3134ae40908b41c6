// Package app holds the order service's use cases, one per file, and the
// ports they need: the cart, the catalog and the payment service (called over
// gRPC through adapters), the timer that expires unpaid orders, and mail.
// Each use case owns its transaction; events are written to the outbox in it.
package app

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"go.uber.org/zap"

	paymentv1 "github.com/jangteo/jangteo/gen/go/jangteo/payment/v1"
	"github.com/jangteo/jangteo/platform/mail"
	"github.com/jangteo/jangteo/services/order/internal/domain"
	"github.com/jangteo/jangteo/services/order/internal/store"
)

// Store is what the use cases need from persistence beyond the functions
// that run inside a transaction (store.Insert, store.Update).
type Store interface {
	Tx(ctx context.Context, fn func(tx pgx.Tx) error) error
	Get(ctx context.Context, k store.Key) (domain.Order, error)
	List(ctx context.Context, f store.Filter, after *store.Cursor, limit int) ([]domain.Order, bool, error)
	CountByUser(ctx context.Context, userID string) (int, error)
}

// CartLine is one line of the cart being checked out.
type CartLine struct {
	ProductID string
	VariantID string
	Quantity  int64
}

// Cart reads a user's cart for checkout.
type Cart interface {
	// CheckoutCart returns the user's cart id and lines (none for an empty
	// cart). domain.ErrCartDown when the cart cannot answer.
	CheckoutCart(ctx context.Context, userID string) (cartID string, lines []CartLine, err error)
}

// Variant is what checkout snapshots of a catalog variant.
type Variant struct {
	ProductID   string
	ProductName string
	ProductSlug string
	SKU         string
	Options     map[string]string
	UnitPrice   domain.Money
	Stock       int64
	Available   bool
}

// ReserveLine asks the catalog to hold units of a variant.
type ReserveLine struct {
	VariantID string
	Quantity  int64
}

// Catalog describes variants and holds, sells and gives back stock. Every
// stock call is idempotent by order id.
type Catalog interface {
	Variants(ctx context.Context, ids []string) (map[string]Variant, error)
	// Reserve holds every line or none; a short line is domain.ErrOutOfStock
	// or domain.ErrNotOnSale wrapped in a *StockError naming the variant.
	Reserve(ctx context.Context, orderID string, lines []ReserveLine, ttl time.Duration) error
	// Commit marks the held stock sold; ErrReservationReleased when the
	// catalog had already given it back.
	Commit(ctx context.Context, orderID string) error
	Release(ctx context.Context, orderID string) error
}

// StockError says which variant a reservation failed on.
type StockError struct {
	VariantID string
	Err       error // domain.ErrOutOfStock or domain.ErrNotOnSale
	Detail    string
}

func (e *StockError) Error() string { return e.Detail }
func (e *StockError) Unwrap() error { return e.Err }

// PaymentRequest asks the payment service for a payment of an order.
type PaymentRequest struct {
	Order          domain.Order
	Provider       string
	ReturnURL      string
	CancelURL      string
	IdempotencyKey string
}

// Payments is the payment service. Payments are the payment service's own
// resource (its API message), passed to the buyer untouched.
type Payments interface {
	Create(ctx context.Context, r PaymentRequest) (*paymentv1.Payment, error)
	// Refund gives back amount (0: everything left) of a payment and returns
	// the payment's refunded total afterwards; the same key gives the same
	// result. domain.ErrRefundExceeds when less is left.
	Refund(ctx context.Context, paymentID string, amount int64, reason, key string) (refundedTotal int64, err error)
	// CancelAll cancels the order's payments that are not approved yet.
	CancelAll(ctx context.Context, orderID, reason string) error
}

// Timers schedule the end of an order's payment window in the caller's
// transaction, so the timer exists exactly when the order does.
type Timers interface {
	ExpireAt(ctx context.Context, tx pgx.Tx, orderID string, at time.Time) error
}

// Mailer sends mail.
type Mailer interface {
	Send(ctx context.Context, msg mail.Message) error
}

// Config are the rules the use cases apply.
type Config struct {
	Pricing domain.Pricing
	// PaymentWindow is how long an order waits for payment.
	PaymentWindow time.Duration
	// ReservationGrace is added to the payment window for the catalog's
	// reservation TTL, so the order's own timer, not the catalog's sweeper,
	// decides an order at the end of its window; the sweeper remains the
	// safety net when the order service is down.
	ReservationGrace time.Duration
	// PublicURL is where the shop is, for links in mail.
	PublicURL string
}

// App runs the order service's use cases.
type App struct {
	store    Store
	cart     Cart
	catalog  Catalog
	payments Payments
	timers   Timers
	mailer   Mailer
	cfg      Config
	log      *zap.Logger
	now      func() time.Time
}

// Deps are the ports App needs.
type Deps struct {
	Store    Store
	Cart     Cart
	Catalog  Catalog
	Payments Payments
	Timers   Timers
	Mailer   Mailer
}

// New returns the use cases.
func New(d Deps, cfg Config, log *zap.Logger) *App {
	if d.Store == nil || d.Cart == nil || d.Catalog == nil || d.Payments == nil || d.Timers == nil || d.Mailer == nil || log == nil {
		panic("app: nil dependency")
	}
	return &App{store: d.Store, cart: d.Cart, catalog: d.Catalog, payments: d.Payments, timers: d.Timers,
		mailer: d.Mailer, cfg: cfg, log: log, now: time.Now}
}

// SetClock replaces the clock (tests of the payment window).
func (a *App) SetClock(now func() time.Time) { a.now = now }

func (a *App) clock() time.Time { return a.now().UTC().Truncate(time.Microsecond) }
