// Package app holds the cart's use cases and the interfaces they need from
// persistence and from the catalog.
package app

import (
	"context"
	"errors"
	"time"

	"github.com/jangteo/jangteo/platform/opaque"

	"go.uber.org/zap"

	"github.com/jangteo/jangteo/services/cart/internal/domain"
	"github.com/jangteo/jangteo/services/cart/internal/store"
)

// Store is what the use cases need from persistence.
type Store interface {
	Cart(ctx context.Context, o domain.Owner) (domain.Cart, error)
	AddLine(ctx context.Context, o domain.Owner, create bool, l domain.Line, maxQuantity int64, syncedAt time.Time) (store.AddResult, error)
	AdjustLine(ctx context.Context, o domain.Owner, lineID string, delta, maxQuantity int64) (domain.Cart, error)
	SetLineQuantity(ctx context.Context, o domain.Owner, lineID string, quantity int64) (domain.Cart, error)
	RemoveLine(ctx context.Context, o domain.Owner, lineID string) (domain.Cart, error)
	Clear(ctx context.Context, o domain.Owner) (domain.Cart, error)
	Merge(ctx context.Context, userID string, tokenHash []byte, maxQuantity int64) (bool, error)
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
	store   Store
	catalog Catalog
	cfg     Config
	log     *zap.Logger
	now     func() time.Time
}

// New returns the use cases.
func New(s Store, c Catalog, cfg Config, log *zap.Logger) *App {
	if s == nil || c == nil || log == nil {
		panic("app: nil dependency")
	}
	return &App{store: s, catalog: c, cfg: cfg, log: log, now: time.Now}
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
