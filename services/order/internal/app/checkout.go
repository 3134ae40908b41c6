package app

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"go.uber.org/zap"

	"github.com/jangteo/jangteo/platform/idempotency"
	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/services/order/internal/domain"
	"github.com/jangteo/jangteo/services/order/internal/events"
	"github.com/jangteo/jangteo/services/order/internal/store"
)

// Checkout places an order from the user's cart: it snapshots the lines at
// the catalog's prices now, reserves the stock for the payment window and
// writes the order in pending_payment with its expiry timer and
// order.created. The stock is reserved before anything is written, outside
// any transaction, and the order is written in one short transaction after.
//
// orderID is the order's id when the call is keyed (derived from its
// idempotency key; "" draws a fresh one). The catalog's reservation is keyed
// by it too, so running the checkout again with the same key — after a crash
// that lost the call's record, or in another replica at the same time —
// finds the reservation and the order the first run made and answers with
// that order, or refuses the key when its order went to another address.
// A keyed checkout whose write fails keeps its reservation for the retry
// with the same key (the catalog gives it back when its TTL ends); an
// unkeyed one gives it back at once.
func (a *App) Checkout(ctx context.Context, userID, orderID string, ship domain.Shipping) (domain.Order, error) {
	keyed := orderID != ""
	if keyed {
		o, err := a.placed(ctx, userID, orderID, ship)
		if !errors.Is(err, domain.ErrOrderNotFound) {
			return o, err
		}
	} else {
		orderID = uuid.Must(uuid.NewV7()).String()
	}
	cartID, cartLines, err := a.cart.CheckoutCart(ctx, userID)
	if err != nil {
		return domain.Order{}, err
	}
	if len(cartLines) == 0 {
		return domain.Order{}, domain.ErrCartEmpty
	}
	ids := make([]string, len(cartLines))
	for i, l := range cartLines {
		ids[i] = l.VariantID
	}
	variants, err := a.catalog.Variants(ctx, ids)
	if err != nil {
		return domain.Order{}, err
	}
	lines, currency, err := snapshot(cartLines, variants)
	if err != nil {
		return domain.Order{}, err
	}

	now := a.clock()
	o := domain.Order{
		ID: orderID, UserID: userID, CartID: cartID, Kind: domain.KindGoods,
		Lines: lines, Amounts: a.cfg.Pricing.Price(lines, currency), Shipping: ship,
		PayableUntil: now.Add(a.cfg.PaymentWindow), CreatedAt: now, UpdatedAt: now,
	}
	o.Place(now)

	reserve := make([]ReserveLine, len(lines))
	for i, l := range lines {
		reserve[i] = ReserveLine{VariantID: l.VariantID, Quantity: int64(l.Quantity)}
	}
	if err := a.catalog.Reserve(ctx, o.ID, reserve, a.cfg.PaymentWindow+a.cfg.ReservationGrace); err != nil {
		return domain.Order{}, nameVariant(err, lines)
	}
	// The stock is held: write the order even if the client has gone, so
	// the hold does not outlive it.
	done := context.WithoutCancel(ctx)
	err = a.insert(done, &o)
	if errors.Is(err, store.ErrOrderExists) {
		return a.placed(done, userID, o.ID, ship) // another replica ran the same key at once
	}
	if err != nil {
		if keyed {
			return domain.Order{}, err // the retry with the key finds the reservation
		}
		if relErr := a.catalog.Release(done, o.ID); relErr != nil {
			// The catalog's sweeper gives it back when the TTL ends.
			a.log.Warn("release after failed checkout", zap.String("order_id", o.ID), zap.Error(relErr))
		}
		return domain.Order{}, err
	}
	return o, nil
}

// placed returns the order an earlier run of a keyed checkout wrote under
// orderID, domain.ErrOrderNotFound when there is none yet, or the key's
// refusal when that order was placed for another request (another address).
func (a *App) placed(ctx context.Context, userID, orderID string, ship domain.Shipping) (domain.Order, error) {
	o, err := a.store.Get(ctx, store.Key{ID: orderID})
	if err != nil {
		return domain.Order{}, err
	}
	if o.UserID != userID || o.Shipping != ship {
		return domain.Order{}, idempotency.ErrKeyReused.With("this Idempotency-Key already placed order %s with other shipping details", o.Number)
	}
	return o, nil
}

// insert writes the order with its timer and events in a transaction of its own.
func (a *App) insert(ctx context.Context, o *domain.Order) error {
	return a.store.Tx(ctx, func(tx pgx.Tx) error { return WriteNew(ctx, tx, a.timers, o) })
}

// WriteNew writes a placed order in tx under a fresh number (drawn again
// on the rare clash), with its created and status events and the timer that
// ends its payment window, in three round trips. The market writes its
// trades' orders the same way, many at once (store.InsertMany).
func WriteNew(ctx context.Context, tx pgx.Tx, timers Timers, o *domain.Order) error {
	var p postgres.Pipeline
	o.DrawNumber()
	if err := store.InsertMany(ctx, tx, &p, []*domain.Order{o}, (*domain.Order).DrawNumber); err != nil {
		return err
	}
	if err := events.Created(ctx, &p, *o); err != nil {
		return err
	}
	if err := events.StatusChanged(ctx, &p, *o, 0); err != nil {
		return err
	}
	if err := p.Send(ctx, tx); err != nil {
		return err
	}
	return timers.ExpireAt(ctx, tx, o.ID, o.PayableUntil)
}

// snapshot copies each cart line with the catalog's facts now; a line the
// catalog no longer sells, or has too few of, fails the checkout naming it.
func snapshot(cartLines []CartLine, variants map[string]Variant) ([]domain.Line, string, error) {
	lines := make([]domain.Line, 0, len(cartLines))
	currency := ""
	for i, cl := range cartLines {
		v, ok := variants[cl.VariantID]
		if !ok || !v.Available {
			name := "a product"
			if ok {
				name = label(v.ProductName, v.Options)
			}
			return nil, "", domain.ErrNotOnSale.With("%s (variant %s) is no longer on sale", name, cl.VariantID)
		}
		if v.Stock < cl.Quantity {
			return nil, "", domain.ErrOutOfStock.With("%s (variant %s) is out of stock: %d wanted, %d left",
				label(v.ProductName, v.Options), cl.VariantID, cl.Quantity, max(v.Stock, 0))
		}
		if currency == "" {
			currency = v.UnitPrice.Currency
		} else if v.UnitPrice.Currency != currency {
			return nil, "", domain.ErrMixedCurrencies
		}
		lines = append(lines, domain.Line{
			Number: int32(i + 1), ProductID: v.ProductID, VariantID: cl.VariantID, ProductName: v.ProductName,
			ProductSlug: v.ProductSlug, SKU: v.SKU, Options: v.Options, UnitPrice: v.UnitPrice.Amount,
			Quantity: int32(cl.Quantity),
		})
	}
	return lines, currency, nil
}

// nameVariant rewrites a reservation failure to name the product as well as
// the variant it failed on.
func nameVariant(err error, lines []domain.Line) error {
	var se *StockError
	if !errors.As(err, &se) {
		return err
	}
	name := "a product"
	if i := slices.IndexFunc(lines, func(l domain.Line) bool { return strings.EqualFold(l.VariantID, se.VariantID) }); i >= 0 {
		name = label(lines[i].ProductName, lines[i].Options)
	}
	if errors.Is(se.Err, domain.ErrNotOnSale) {
		return domain.ErrNotOnSale.With("%s (variant %s) is no longer on sale", name, se.VariantID)
	}
	return domain.ErrOutOfStock.With("%s (variant %s) is out of stock: %s", name, se.VariantID, se.Detail)
}

// label is a product name with its option values: "Runner (size 270)".
func label(name string, options map[string]string) string {
	if len(options) == 0 {
		return name
	}
	parts := make([]string, 0, len(options))
	for _, k := range slices.Sorted(maps.Keys(options)) {
		parts = append(parts, fmt.Sprintf("%s %s", k, options[k]))
	}
	return name + " (" + strings.Join(parts, ", ") + ")"
}
