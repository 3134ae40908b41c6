package app

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/services/order/internal/market/domain"
	"github.com/jangteo/jangteo/services/order/internal/market/store"
)

// ShipSale records the seller's shipment of a paid trade's item to
// inspection. Only the trade's seller may: to anyone else the sale does not
// exist (TRADE_NOT_FOUND). A sale not awaiting shipment is
// TRADE_STATE_CONFLICT naming its status.
func (a *App) ShipSale(ctx context.Context, sellerID, tradeID, carrier, tracking string) (domain.Trade, error) {
	return a.shipment(ctx, tradeID, func(t *domain.Trade) error {
		if t.SellerID != sellerID {
			return domain.ErrTradeNotFound.With("sale %s not found", tradeID)
		}
		if t.Status != domain.TradePaid {
			return domain.ErrTradeState.With("sale %s is %s, not awaiting shipment to inspection", t.ID, t.Status)
		}
		t.Status, t.InspectionCarrier, t.InspectionTracking, t.ShippedAt = domain.TradeShipped, carrier, tracking, a.clock()
		return nil
	})
}

// Receive records that staff received a trade's item at inspection.
func (a *App) Receive(ctx context.Context, tradeID string) (domain.Trade, error) {
	return a.shipment(ctx, tradeID, func(t *domain.Trade) error {
		if t.Status != domain.TradeShipped {
			return domain.ErrTradeState.With("trade %s is %s, not shipped to inspection", t.ID, t.Status)
		}
		t.Status, t.ReceivedAt = domain.TradeAtInspection, a.clock()
		return nil
	})
}

// shipment runs fn on the locked trade and saves its status and shipment.
func (a *App) shipment(ctx context.Context, tradeID string, fn func(t *domain.Trade) error) (domain.Trade, error) {
	var out domain.Trade
	err := a.tx(ctx, func(tx pgx.Tx) error {
		t, err := store.LockTrade(ctx, tx, tradeID)
		if err != nil {
			return err
		}
		if err := fn(&t); err != nil {
			return err
		}
		out = t
		return store.SaveShipment(ctx, tx, t, a.clock())
	})
	return out, err
}
