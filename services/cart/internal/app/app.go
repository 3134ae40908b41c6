// Package app holds the cart's use cases and the interfaces they need from
// persistence and from the catalog.
//
// A use case that writes owns its transaction: inTx runs it with the store
// over one transaction of a.db (the cart row locks it takes hold to commit).
// Reads use a.store. WithTx runs the use cases inside an event consumer's
// transaction, beside its inbox row.
package app

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"go.uber.org/zap"

	"github.com/jangteo/jangteo/platform/opaque"
	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/services/cart/internal/domain"
	"github.com/jangteo/jangteo/services/cart/internal/store"
)

// Store is what the use cases need from persistence: the small interfaces
// each group of use cases declares.
type Store interface {
	lineStore
	mergeStore
	syncStore
}

// lineStore is what reading the cart and changing its lines need.
type lineStore interface {
	Cart(ctx context.Context, o domain.Owner) (domain.Cart, error)
	AddLine(ctx context.Context, o domain.Owner, create bool, l domain.Line, maxQuantity int64, syncedAt time.Time) (store.AddResult, error)
	AdjustLine(ctx context.Context, o domain.Owner, lineID string, delta, maxQuantity int64) (domain.Cart, error)
	SetLineQuantity(ctx context.Context, o domain.Owner, lineID string, quantity int64) (domain.Cart, error)
	RemoveLine(ctx context.Context, o domain.Owner, lineID string) (domain.Cart, error)
	Clear(ctx context.Context, o domain.Owner) (domain.Cart, error)
}

// mergeStore moves an anonymous cart into a user's.
type mergeStore interface {
	Merge(ctx context.Context, userID string, tokenHash []byte, maxQuantity int64) (bool, error)
}

// syncStore applies what other services announce.
type syncStore interface {
	RefreshProduct(ctx context.Context, f domain.ProductFacts) (int64, error)
	RemovePaid(ctx context.Context, cartID, userID string, paid []domain.PaidLine) error
}

// Catalog is what the cart needs from the catalog service.
type Catalog interface {
	// ResolveVariant finds the variant a shopper chose, failing with
	// domain.ErrProductNotFound or domain.ErrVariantNotFound naming the field.
	ResolveVariant(ctx context.Context, ref domain.VariantRef) (domain.Variant, error)
	// Variants describes variants by id in one round trip; ids the catalog
	// does not know are absent from the map. domain.ErrCatalogUnavailable
	// when the catalog cannot answer.
	Variants(ctx context.Context, ids []string) (map[string]domain.Variant, error)
}

// Config are the rules the use cases apply.
type Config struct {
	TaxRateBasisPoints int
	MaxLineQuantity    int64
}

// App runs the cart's use cases.
type App struct {
	db      postgres.Conn           // the pool, or the transaction of WithTx
	stores  func(postgres.DB) Store // the store over a use case's transaction
	store   Store                   // the store over db
	catalog Catalog
	cfg     Config
	log     *zap.Logger
	now     func() time.Time
}

// New returns the use cases over db (the pool), with stores making the store
// over the pool or a transaction.
func New(db postgres.Conn, stores func(postgres.DB) Store, c Catalog, cfg Config, log *zap.Logger) *App {
	if db == nil || stores == nil || c == nil || log == nil {
		panic("app: nil dependency")
	}
	return &App{db: db, stores: stores, store: stores(db), catalog: c, cfg: cfg, log: log, now: time.Now}
}

// WithTx returns the use cases running inside tx: their transactions become
// savepoints of tx and commit with it.
func (a *App) WithTx(tx pgx.Tx) *App {
	c := *a
	c.db, c.store = tx, a.stores(tx)
	return &c
}

// inTx runs fn with the store over one transaction of a.db, committing when
// fn returns no error.
func inTx[T any](ctx context.Context, a *App, fn func(s Store) (T, error)) (T, error) {
	var out T
	err := postgres.InTx(ctx, a.db, func(tx pgx.Tx) error {
		var err error
		out, err = fn(a.stores(tx))
		return err
	})
	return out, err
}

// Caller is who is calling: a signed-in user, or an anonymous client with or
// without a cart token.
type Caller struct {
	UserID    string
	CartToken string
}

// owner is the cart the caller acts on. A signed-in user always acts on their
// own cart, whatever token they send. An anonymous caller without a token has
// no cart (ok is false); a malformed or unknown token is ErrCartNotFound.
func (c Caller) owner() (o domain.Owner, ok bool, err error) {
	if c.UserID != "" {
		return domain.Owner{UserID: c.UserID}, true, nil
	}
	if c.CartToken == "" {
		return domain.Owner{}, false, nil
	}
	if !opaque.WellFormed(c.CartToken) {
		return domain.Owner{}, false, domain.ErrCartNotFound
	}
	return domain.Owner{TokenHash: opaque.Hash(c.CartToken)}, true, nil
}

// View is a cart as the caller sees it.
type View = domain.PricedCart

// view reads the owner's cart and prices it. A user without a cart sees an
// empty one; an anonymous token without a cart is ErrCartNotFound.
func (a *App) view(ctx context.Context, o domain.Owner) (View, error) {
	c, err := a.store.Cart(ctx, o)
	if errors.Is(err, domain.ErrCartNotFound) && !o.Anonymous() {
		return a.price(ctx, domain.Cart{UserID: o.UserID}), nil
	}
	if err != nil {
		return View{}, err
	}
	return a.price(ctx, c), nil
}

// price prices c with one catalog call. When the catalog cannot answer the
// cart is still shown, unpriced: a write that has committed must not look
// failed to a client that would then retry it.
func (a *App) price(ctx context.Context, c domain.Cart) View {
	if len(c.Lines) == 0 {
		return domain.Price(c, nil, a.cfg.TaxRateBasisPoints)
	}
	ids := make([]string, len(c.Lines))
	for i, l := range c.Lines {
		ids[i] = l.VariantID
	}
	variants, err := a.catalog.Variants(ctx, ids)
	if err != nil {
		a.log.Warn("cart shown unpriced", zap.String("cart_id", c.ID), zap.Error(err))
		return domain.Unpriced(c, a.cfg.TaxRateBasisPoints)
	}
	return domain.Price(c, variants, a.cfg.TaxRateBasisPoints)
}
