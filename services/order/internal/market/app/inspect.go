package app

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/platform/errs"

	orderdomain "github.com/jangteo/jangteo/services/order/internal/domain"
	orderevents "github.com/jangteo/jangteo/services/order/internal/events"
	"github.com/jangteo/jangteo/services/order/internal/market/domain"
	"github.com/jangteo/jangteo/services/order/internal/market/store"
	orderstore "github.com/jangteo/jangteo/services/order/internal/store"
)

// Verdict is staff's inspection of an item: passed, with the shipment to
// the buyer, or failed, with a note saying why.
type Verdict struct {
	Passed                  bool
	Note                    string
	Carrier, TrackingNumber string // required when passed
}

// Inspect records staff's verdict on a received trade's item. Passed: the
// item ships to the buyer — the buyer's order moves to shipped with the
// carrier and tracking number — and the seller's payout is recorded.
// Failed: the buyer's order is cancelled — so refunded in full by the
// order's compensation — and the seller is charged the penalty; the ask does
// not return to the book.
func (a *App) Inspect(ctx context.Context, staffID, tradeID string, v Verdict) (domain.Trade, error) {
	if v.Passed {
		var bad []errs.FieldViolation
		if v.Carrier == "" {
			bad = append(bad, errs.Field("carrier", "required when the item passed: it ships to the buyer"))
		}
		if v.TrackingNumber == "" {
			bad = append(bad, errs.Field("tracking_number", "required when the item passed: it ships to the buyer"))
		}
		if len(bad) > 0 {
			return domain.Trade{}, errs.InvalidFields(bad...)
		}
	}
	var out domain.Trade
	err := a.tx(ctx, func(tx pgx.Tx) error {
		t, err := store.LockTrade(ctx, tx, tradeID)
		if err != nil {
			return err
		}
		if t.Status != domain.TradeAtInspection {
			return domain.ErrTradeState.With("trade %s is %s, not at inspection", t.ID, t.Status)
		}
		now := a.clock()
		note := v.Note
		if v.Passed {
			t.Status, t.DeliveryCarrier, t.DeliveryTracking = domain.TradePassed, v.Carrier, v.TrackingNumber
			err = a.shipToBuyer(ctx, tx, t, staffID, note)
			if err == nil {
				err = a.ledger(ctx, tx, t, domain.LedgerEntry{
					UserID: t.SellerID, Kind: domain.LedgerPayout, Amount: t.Payout(),
					Reason: fmt.Sprintf("payout for the sale at %d: price %d − seller fee %d; inspection passed", t.Price, t.Price, t.SellerFee),
				}, now)
			}
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
		return store.SaveShipment(ctx, tx, t, now)
	})
	return out, err
}

// shipToBuyer moves the buyer's order of a trade whose item passed to
// shipped (through preparing, if staff had not prepared it yet).
func (a *App) shipToBuyer(ctx context.Context, tx pgx.Tx, t domain.Trade, staffID, note string) error {
	seen := 0
	actor := orderdomain.StaffActor(staffID)
	o, err := orderstore.Update(ctx, tx, orderstore.Key{ID: t.OrderID}, func(o *orderdomain.Order) error {
		seen = len(o.History)
		now := a.clock()
		if o.Status == orderdomain.StatusPaid {
			if err := o.Advance(orderdomain.StatusPreparing, "", "", actor, "the item passed inspection: "+note, now); err != nil {
				return err
			}
		}
		return o.Advance(orderdomain.StatusShipped, t.DeliveryCarrier, t.DeliveryTracking, actor, deliveryNote(o.Shipping), now)
	})
	if err != nil {
		return err
	}
	return orderevents.StatusChanged(ctx, tx, o, seen)
}

// deliveryNote says where the item went: the order's shipping, which is
// the buyer's delivery address from the bid ("" for an order without one).
func deliveryNote(s orderdomain.Shipping) string {
	if s.Line1 == "" {
		return ""
	}
	return fmt.Sprintf("shipped to %s, %s %s", s.Name, s.PostalCode, s.City)
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
