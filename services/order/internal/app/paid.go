package app

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"go.uber.org/zap"

	"github.com/jangteo/jangteo/services/order/internal/domain"
	"github.com/jangteo/jangteo/services/order/internal/store"
)

// CommitStock tells the catalog that a paid order's held stock is sold; the
// order.paid consumer calls it (the catalog's own order.paid consumer records
// the purchases). When the catalog had already given the stock back — its
// sweeper ran while this service was down past the grace period — the order
// cannot be filled: it is cancelled, which refunds it in full.
//
// An order of another kind (a market trade) held no catalog stock.
func (a *App) CommitStock(ctx context.Context, tx pgx.Tx, orderID string) error {
	o, err := store.Read(ctx, tx, store.Key{ID: orderID})
	if err != nil || o.Kind != domain.KindGoods {
		return err
	}
	err = a.catalog.Commit(ctx, orderID)
	if !errors.Is(err, domain.ErrReservationReleased) {
		return err
	}
	a.log.Warn("paid order lost its reserved stock; cancelling and refunding it", zap.String("order_id", orderID))
	seen, cancelledNow := 0, false
	o, err = store.Update(ctx, tx, store.Key{ID: orderID}, func(o *domain.Order) error {
		seen = len(o.History)
		if o.Status != domain.StatusPaid {
			return nil // cancelled meanwhile: the release was its own
		}
		cancelledNow = true
		return o.Cancel(domain.ActorSystem, "the reserved stock was released before the payment was confirmed", a.clock())
	})
	if err != nil || !cancelledNow {
		return err
	}
	return cancelled(ctx, tx, o, seen)
}

// SendConfirmation mails the buyer the confirmation of a paid order at its
// shipping email. Every order placed now has one (checkout and the market's
// bids both take the shipping details); a market order made before the
// market took delivery addresses has none, and no one is mailed.
func (a *App) SendConfirmation(ctx context.Context, tx pgx.Tx, orderID string) error {
	o, err := store.Read(ctx, tx, store.Key{ID: orderID})
	if err != nil || o.Shipping.Email == "" {
		return err
	}
	return a.mailer.Send(ctx, confirmationMail(o, a.cfg.PublicURL))
}

func (a *App) mailLateApproval(ctx context.Context, o domain.Order, p Approval) error {
	return a.mailer.Send(ctx, lateApprovalMail(o, p))
}
