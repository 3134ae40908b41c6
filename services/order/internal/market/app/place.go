package app

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/platform/idempotency"
	"github.com/jangteo/jangteo/platform/postgres"
	orderdomain "github.com/jangteo/jangteo/services/order/internal/domain"
	"github.com/jangteo/jangteo/services/order/internal/market/domain"
	"github.com/jangteo/jangteo/services/order/internal/market/events"
	"github.com/jangteo/jangteo/services/order/internal/market/store"
)

// Place puts an ask or a bid for one unit of a variant at price. If the
// best offer on the other side crosses it (a bid at or above the lowest ask,
// an ask at or below the highest bid), they trade at once at the standing
// offer's price; otherwise it stands in the book for days. An offer whose
// best counterpart is the caller's own is refused (SELF_TRADE). A bid
// carries the buyer's delivery address (ship), which becomes the order's
// shipping when it trades; an ask carries none.
//
// The variant's matcher decides it in a batch with the placements waiting
// beside it (matcher.go). The offer's id is derived from the call's
// idempotency key, so a retry whose first run committed finds its offer and
// answers with it.
func (a *App) Place(ctx context.Context, userID string, side domain.Side, variantID string, price int64, days int32, ship orderdomain.Shipping) (domain.Offer, *domain.Trade, error) {
	return a.matcher.place(a.placement(ctx, userID, side, variantID, price, days, ship, false))
}

// Take buys (side bid) or sells (side ask) now at the best price on the
// other side, which must still be expected: PRICE_MOVED when it is not,
// NO_OFFER when nothing stands. Buying now carries the buyer's delivery
// address (ship), as a bid does.
func (a *App) Take(ctx context.Context, userID string, side domain.Side, variantID string, expected int64, ship orderdomain.Shipping) (domain.Trade, error) {
	_, t, err := a.matcher.place(a.placement(ctx, userID, side, variantID, expected, 1, ship, true))
	if err != nil {
		return domain.Trade{}, err
	}
	return *t, nil
}

func (a *App) placement(ctx context.Context, userID string, side domain.Side, variantID string, price int64, days int32, ship orderdomain.Shipping, take bool) *placement {
	id, ok := idempotency.Derive(ctx, "market offer")
	if !ok {
		id = newID()
	}
	in := domain.Offer{ID: id, Side: side, UserID: userID, VariantID: variantID, Price: price}
	if side == domain.Bid {
		in.Shipping = ship
	}
	return &placement{ctx: ctx, in: in, days: days, take: take, done: make(chan placed, 1)}
}

// bookChanged records that a use case other than the matcher changed the
// variant's open offers in tx, holding its lock: the book's version counts
// up (so a matcher holding the book reads it again) and the variant's best
// prices as they are now in tx are published.
func (a *App) bookChanged(ctx context.Context, tx pgx.Tx, variantID string, now time.Time) error {
	if err := store.BookChanged(ctx, tx, variantID); err != nil {
		return err
	}
	q, err := store.QuoteOf(ctx, tx, variantID, now)
	if err != nil {
		return err
	}
	return events.QuoteChanged(ctx, tx, q, variantID)
}

// ledger writes one of the trade's ledger entries.
func (a *App) ledger(ctx context.Context, db postgres.DB, t domain.Trade, e domain.LedgerEntry, now time.Time) error {
	e.ID, e.TradeID, e.Currency, e.CreatedAt = newID(), t.ID, t.Currency, now
	return store.InsertLedger(ctx, db, e)
}
