package app

import (
	"context"

	"github.com/jangteo/jangteo/services/order/internal/market/domain"
	"github.com/jangteo/jangteo/services/order/internal/market/store"
)

// Preview is what an ask at a price would pay out.
type Preview struct {
	Price, SellerFee, Payout int64
	Currency, Explanation    string
}

// PreviewAsk shows the seller price − fee = payout before placing an ask.
func (a *App) PreviewAsk(ctx context.Context, variantID string, price int64) (Preview, error) {
	v, err := a.variant(ctx, variantID)
	if err != nil {
		return Preview{}, err
	}
	fee := a.cfg.Fees.Seller(price)
	return Preview{Price: price, SellerFee: fee, Payout: price - fee, Currency: v.UnitPrice.Currency,
		Explanation: a.cfg.Fees.ExplainSeller(price)}, nil
}

// Offers lists the user's asks or bids, newest first.
func (a *App) Offers(ctx context.Context, userID string, side domain.Side, p store.Page) ([]domain.Offer, string, error) {
	return a.deps.Store.Offers(ctx, userID, side, p)
}

// Trades lists the trades the user bought or sold in, newest first.
func (a *App) Trades(ctx context.Context, userID string, p store.Page) ([]domain.Trade, string, error) {
	return a.deps.Store.Trades(ctx, userID, p)
}

// Ledger lists the user's fees, payouts and penalties, newest first.
func (a *App) Ledger(ctx context.Context, userID string, p store.Page) ([]domain.LedgerEntry, string, error) {
	return a.deps.Store.Ledger(ctx, userID, p)
}
