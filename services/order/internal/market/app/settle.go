package app

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/services/order/internal/market/domain"
	"github.com/jangteo/jangteo/services/order/internal/market/store"
)

// Cancel takes one of the user's open asks or bids off the book. Racing a
// match, the offer's row decides: either the cancel or the trade wins.
func (a *App) Cancel(ctx context.Context, userID string, side domain.Side, id string) (domain.Offer, error) {
	var out domain.Offer
	err := a.tx(ctx, func(tx pgx.Tx) error {
		if err := a.lockOffersVariant(ctx, tx, id); err != nil {
			return err
		}
		now := a.clock()
		o, err := store.Cancel(ctx, tx, userID, side, id, now)
		if err != nil {
			return err
		}
		out = o
		return a.bookChanged(ctx, tx, o.VariantID, now)
	})
	return out, err
}

// Expire ends an offer still open at its expiry time (the timer calls it).
func (a *App) Expire(ctx context.Context, offerID string) error {
	return a.tx(ctx, func(tx pgx.Tx) error {
		if err := a.lockOffersVariant(ctx, tx, offerID); err != nil {
			return err
		}
		now := a.clock()
		o, expired, err := store.Expire(ctx, tx, offerID, now)
		if err != nil || !expired {
			return err
		}
		return a.bookChanged(ctx, tx, o.VariantID, now)
	})
}

// lockOffersVariant takes the matching lock of the offer's variant before
// the offer's row, in the order placements take them (so the two never
// deadlock), and so the quote the change publishes is computed after every
// earlier change of the book committed.
func (a *App) lockOffersVariant(ctx context.Context, tx pgx.Tx, offerID string) error {
	v, err := store.VariantOfOffer(ctx, tx, offerID)
	if err != nil || v == "" {
		return err
	}
	return store.LockVariant(ctx, tx, v)
}

// OrderPaid moves the trade an order pays to paid: the seller now ships the
// item to inspection. An order of goods, or a trade already settled, is left alone.
func (a *App) OrderPaid(ctx context.Context, tx pgx.Tx, orderID string) error {
	t, ok, err := store.TradeOfOrder(ctx, tx, orderID)
	if err != nil || !ok || t.Status != domain.TradePendingPayment {
		return err
	}
	return store.SetTradeStatus(ctx, tx, t.ID, domain.TradePaid, a.clock())
}

// voidable are the trades a cancelled order voids: not yet inspected.
var voidable = []domain.TradeStatus{domain.TradePendingPayment, domain.TradePaid, domain.TradeShipped, domain.TradeAtInspection}

// OrderCancelled voids the trade of a cancelled market order — the buyer
// did not pay within the window, or cancelled: the seller's ask returns to
// the book with its original time priority (or expires, if its time is up),
// the bid is voided and the buyer is charged the penalty.
func (a *App) OrderCancelled(ctx context.Context, tx pgx.Tx, orderID, reason string) error {
	t, ok, err := store.TradeOfOrder(ctx, tx, orderID)
	if err != nil || !ok || !slices.Contains(voidable, t.Status) {
		return err // an order of goods, or a trade already voided or inspected
	}
	if err := store.LockVariant(ctx, tx, t.VariantID); err != nil {
		return err
	}
	now := a.clock()
	if err := store.SetTradeStatus(ctx, tx, t.ID, domain.TradeVoided, now); err != nil {
		return err
	}
	// An item already on its way to inspection goes back to the seller
	// (staff return it); only an ask whose item never left returns to the book.
	if t.Status == domain.TradePendingPayment || t.Status == domain.TradePaid {
		if err := store.Reopen(ctx, tx, t.AskID, now); err != nil {
			return err
		}
		if err := a.bookChanged(ctx, tx, t.VariantID, now); err != nil {
			return err
		}
	}
	if _, err := store.Transition(ctx, tx, t.BidID, domain.OfferMatched, domain.OfferVoided, t.ID, now); err != nil {
		return err
	}
	penalty := a.cfg.Fees.Penalty(t.Price)
	return a.ledger(ctx, tx, t, domain.LedgerEntry{
		UserID: t.BuyerID, Kind: domain.LedgerPenalty, Amount: penalty,
		Reason: fmt.Sprintf("penalty: the trade at %d was voided (order %s: %s)", t.Price, t.OrderNumber, reason),
	}, now)
}
