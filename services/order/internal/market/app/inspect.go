package app

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	orderdomain "github.com/jangteo/jangteo/services/order/internal/domain"
	orderevents "github.com/jangteo/jangteo/services/order/internal/events"
	"github.com/jangteo/jangteo/services/order/internal/market/domain"
	"github.com/jangteo/jangteo/services/order/internal/market/store"
	orderstore "github.com/jangteo/jangteo/services/order/internal/store"
)

// Inspect records staff's verdict on a paid trade's item. Passed: the item
// ships to the buyer (the order's fulfilment goes on as any order's) and the
// seller's payout is recorded. Failed: the buyer's order is cancelled — so
// refunded in full by the order's compensation — and the seller is charged
// the penalty; the ask does not return to the book.
func (a *App) Inspect(ctx context.Context, staffID, tradeID string, passed bool, note string) (domain.Trade, error) {
	var out domain.Trade
	err := a.tx(ctx, func(tx pgx.Tx) error {
		t, err := store.LockTrade(ctx, tx, tradeID)
		if err != nil {
			return err
		}
		if t.Status != domain.TradePaid {
			return domain.ErrTradeState.With("trade %s is %s, not awaiting inspection", t.ID, t.Status)
		}
		now := a.clock()
		if passed {
			t.Status = domain.TradePassed
			err = a.ledger(ctx, tx, t, domain.LedgerEntry{
				UserID: t.SellerID, Kind: domain.LedgerPayout, Amount: t.Payout(),
				Reason: fmt.Sprintf("payout for the sale at %d: price %d − seller fee %d; inspection passed", t.Price, t.Price, t.SellerFee),
			}, now)
		} else {
			t.Status = domain.TradeFailed
			err = a.failOrder(ctx, tx, t, staffID, note)
			if err == nil {
				err = a.ledger(ctx, tx, t, domain.LedgerEntry{
					UserID: t.SellerID, Kind: domain.LedgerPenalty, Amount: a.cfg.Fees.Penalty(t.Price),
					Reason: fmt.Sprintf("penalty: the item sold at %d failed inspection (%s)", t.Price, note),
				}, now)
			}
		}
		if err != nil {
			return err
		}
		out = t
		return store.SetTradeStatus(ctx, tx, t.ID, t.Status, now)
	})
	return out, err
}

// failOrder cancels the buyer's order of a trade whose item failed
// inspection; order.cancelled then refunds it in full.
func (a *App) failOrder(ctx context.Context, tx pgx.Tx, t domain.Trade, staffID, note string) error {
	seen := 0
	o, err := orderstore.Update(ctx, tx, orderstore.Key{ID: t.OrderID}, func(o *orderdomain.Order) error {
		seen = len(o.History)
		return o.Cancel(orderdomain.StaffActor(staffID), "the item failed inspection: "+note, a.clock())
	})
	if err != nil {
		return err
	}
	if err := orderevents.Cancelled(ctx, tx, o); err != nil {
		return err
	}
	return orderevents.StatusChanged(ctx, tx, o, seen)
}
