package app

import (
	"context"
	"fmt"

	"github.com/jangteo/jangteo/platform/errs"
	"github.com/jangteo/jangteo/services/order/internal/market/domain"
	"github.com/jangteo/jangteo/services/order/internal/market/store"
)

// AllTrades lists every user's trades for staff, newest first, in f's status
// and of f's variant when set; an unknown status is a 400 naming status.
func (a *App) AllTrades(ctx context.Context, f store.TradeFilter, p store.Page) ([]domain.Trade, string, error) {
	if f.Status != "" && !f.Status.Known() {
		return nil, "", errs.InvalidFields(errs.Field("status", fmt.Sprintf("%q is not a trade status", f.Status)))
	}
	return a.deps.Store.AllTrades(ctx, f, p)
}
