package app

import (
	"context"
	"fmt"

	"github.com/jangteo/jangteo/platform/errs"
	"github.com/jangteo/jangteo/platform/opaque"
	"github.com/jangteo/jangteo/services/cart/internal/domain"
	"github.com/jangteo/jangteo/services/cart/internal/store"
)

// AddItem is a request to add units of a variant.
type AddItem struct {
	Ref      domain.VariantRef
	Quantity int64
}

// Added is the result of AddItem.
type Added struct {
	Cart   View
	LineID string
	// CartToken is set when the call created an anonymous cart.
	CartToken string
	// Created says the call created the cart (anonymous or the user's first).
	Created bool
}

// AddItem adds units of a variant to the caller's cart, creating the cart when
// needed: the same variant raises its line, another makes a new line.
func (a *App) AddItem(ctx context.Context, c Caller, cmd AddItem) (Added, error) {
	var v errs.Violations
	if cmd.Ref.Product == "" && cmd.Ref.VariantID == "" {
		v.Add("product", "name a product (slug or id) or a variant_id")
	}
	if cmd.Quantity < 1 || cmd.Quantity > a.cfg.MaxLineQuantity {
		v.Add("quantity", fmt.Sprintf("must be between 1 and %d", a.cfg.MaxLineQuantity))
	}
	if err := v.Err(); err != nil {
		return Added{}, err
	}
	o, ok, err := c.owner()
	if err != nil {
		return Added{}, err
	}
	var token string
	if !ok {
		var hash []byte
		token, hash = opaque.New()
		o = domain.Owner{TokenHash: hash}
	}

	readAt := a.now()
	variant, err := a.catalog.ResolveVariant(ctx, cmd.Ref)
	if err != nil {
		return Added{}, err
	}
	field := cmd.Ref.Field()
	switch {
	case !variant.Available:
		return Added{}, domain.FieldError(domain.ErrVariantUnavailable, field, fmt.Sprintf("%q is not on sale", variant.ProductName))
	case variant.Stock <= 0:
		return Added{}, domain.FieldError(domain.ErrOutOfStock, field, fmt.Sprintf("%q is out of stock in this option", variant.ProductName))
	}

	line := domain.Line{
		VariantID: variant.ID, ProductID: variant.ProductID, ProductSlug: variant.ProductSlug,
		ProductName: variant.ProductName, ImageURL: variant.ImageURL, Options: variant.Options,
		Quantity: cmd.Quantity,
	}
	res, err := inTx(ctx, a, func(s Store) (store.AddResult, error) {
		return s.AddLine(ctx, o, !ok || !o.Anonymous(), line, a.cfg.MaxLineQuantity, readAt)
	})
	if err != nil {
		return Added{}, err
	}
	return Added{Cart: a.price(ctx, res.Cart), LineID: res.LineID, CartToken: token, Created: res.CartCreated}, nil
}
