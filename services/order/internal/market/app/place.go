package app

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	orderapp "github.com/jangteo/jangteo/services/order/internal/app"
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
func (a *App) Place(ctx context.Context, userID string, side domain.Side, variantID string, price int64, days int32, ship orderdomain.Shipping) (domain.Offer, *domain.Trade, error) {
	return a.match(ctx, userID, side, variantID, price, days, ship, false)
}

// Take buys (side bid) or sells (side ask) now at the best price on the
// other side, which must still be expected: PRICE_MOVED when it is not,
// NO_OFFER when nothing stands. Buying now carries the buyer's delivery
// address (ship), as a bid does.
func (a *App) Take(ctx context.Context, userID string, side domain.Side, variantID string, expected int64, ship orderdomain.Shipping) (domain.Trade, error) {
	_, t, err := a.match(ctx, userID, side, variantID, expected, 1, ship, true)
	if err != nil {
		return domain.Trade{}, err
	}
	return *t, nil
}

func (a *App) match(ctx context.Context, userID string, side domain.Side, variantID string, price int64, days int32, ship orderdomain.Shipping, take bool) (domain.Offer, *domain.Trade, error) {
	v, err := a.variant(ctx, variantID)
	if err != nil {
		return domain.Offer{}, nil, err
	}
	now := a.clock()
	in := domain.Offer{
		ID: uuid.Must(uuid.NewV7()).String(), Side: side, UserID: userID, VariantID: variantID, Price: price,
		Currency: v.UnitPrice.Currency, Status: domain.OfferOpen,
		ExpiresAt: now.Add(time.Duration(days) * 24 * time.Hour), CreatedAt: now,
	}
	if side == domain.Bid {
		in.Shipping = ship
	}
	var trade *domain.Trade
	err = a.tx(ctx, func(tx pgx.Tx) error {
		trade = nil
		if err := store.LockVariant(ctx, tx, variantID); err != nil {
			return err
		}
		best, found, err := store.Best(ctx, tx, variantID, side.Opposite(), now)
		if err != nil {
			return err
		}
		switch {
		case take && !found:
			return domain.ErrNoOffer.With("no %s stands for variant %s", side.Opposite(), variantID)
		case take && best.Price != price:
			return domain.ErrPriceMoved.With("the best %s is now %d, not %d", side.Opposite(), best.Price, price)
		case found && best.Crosses(side, price) && best.UserID == userID:
			return domain.ErrSelfTrade.With("your own %s %s at %d would trade with it; cancel it first", side.Opposite(), best.ID, best.Price)
		case found && best.Crosses(side, price):
			t, err := a.trade(ctx, tx, &in, best, v, now)
			if err != nil {
				return err
			}
			trade = &t
		default:
			if err := store.InsertOffer(ctx, tx, in); err != nil {
				return err
			}
			if err := a.deps.OfferTimers.ExpireAt(ctx, tx, in.ID, in.ExpiresAt); err != nil {
				return err
			}
		}
		return a.quoteChanged(ctx, tx, variantID, now)
	})
	if err != nil {
		return domain.Offer{}, nil, err
	}
	return in, trade, nil
}

// trade fills the incoming offer against the standing one at the standing
// price: both become matched, the buyer gets an order of kind market for
// the price plus the buyer fee, payable within the window and shipping to
// the bid's delivery address, and both sides get their fee entries.
func (a *App) trade(ctx context.Context, tx pgx.Tx, in *domain.Offer, standing domain.Offer, v orderapp.Variant, now time.Time) (domain.Trade, error) {
	ask, bid := standing, *in
	if in.Side == domain.Ask {
		ask, bid = *in, standing
	}
	t := domain.Trade{
		ID: uuid.Must(uuid.NewV7()).String(), VariantID: in.VariantID, AskID: ask.ID, BidID: bid.ID,
		SellerID: ask.UserID, BuyerID: bid.UserID, Price: standing.Price, Currency: standing.Currency,
		BuyerFee: a.cfg.Fees.Buyer(standing.Price), SellerFee: a.cfg.Fees.Seller(standing.Price),
		OrderID: uuid.Must(uuid.NewV7()).String(), Status: domain.TradePendingPayment, CreatedAt: now,
		DeliverTo: bid.Shipping,
	}
	in.Status, in.TradeID = domain.OfferMatched, t.ID
	if err := store.InsertOffer(ctx, tx, *in); err != nil {
		return domain.Trade{}, err
	}
	if ok, err := store.Transition(ctx, tx, standing.ID, domain.OfferOpen, domain.OfferMatched, t.ID, now); err != nil || !ok {
		return domain.Trade{}, cmpErr(err, fmt.Errorf("market: standing offer %s left the book under its lock", standing.ID))
	}
	number, err := a.order(ctx, tx, t, v, now)
	if err != nil {
		return domain.Trade{}, err
	}
	t.OrderNumber = number
	if err := store.InsertTrade(ctx, tx, t); err != nil {
		return domain.Trade{}, err
	}
	entries := []domain.LedgerEntry{
		{UserID: t.BuyerID, Kind: domain.LedgerBuyerFee, Amount: t.BuyerFee,
			Reason: fmt.Sprintf("buyer fee on trade at %d (order %s)", t.Price, number)},
		{UserID: t.SellerID, Kind: domain.LedgerSellerFee, Amount: t.SellerFee,
			Reason: "on sale at " + fmt.Sprint(t.Price) + ": " + a.cfg.Fees.ExplainSeller(t.Price)},
	}
	for _, e := range entries {
		if err := a.ledger(ctx, tx, t, e, now); err != nil {
			return domain.Trade{}, err
		}
	}
	return t, events.TradeExecuted(ctx, tx, t)
}

func cmpErr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}

func (a *App) ledger(ctx context.Context, tx pgx.Tx, t domain.Trade, e domain.LedgerEntry, now time.Time) error {
	e.ID, e.TradeID, e.Currency, e.CreatedAt = uuid.Must(uuid.NewV7()).String(), t.ID, t.Currency, now
	return store.InsertLedger(ctx, tx, e)
}

// order writes the buyer's order for the trade, with its payment-window
// timer and order events (orderapp.WriteNew, as checkout): one line for the unit at
// the trade price and one for the buyer fee, shipping to the buyer's
// delivery address. It returns the order number.
func (a *App) order(ctx context.Context, tx pgx.Tx, t domain.Trade, v orderapp.Variant, now time.Time) (string, error) {
	lines := []orderdomain.Line{{
		Number: 1, ProductID: v.ProductID, VariantID: t.VariantID, ProductName: v.ProductName, ProductSlug: v.ProductSlug,
		SKU: v.SKU, Options: v.Options, UnitPrice: t.Price, Quantity: 1,
	}}
	if t.BuyerFee > 0 {
		lines = append(lines, orderdomain.Line{
			Number: 2, ProductID: v.ProductID, VariantID: t.VariantID, ProductName: "구매 수수료 (market buyer fee)",
			ProductSlug: v.ProductSlug, UnitPrice: t.BuyerFee, Quantity: 1,
		})
	}
	total := t.Price + t.BuyerFee
	o := orderdomain.Order{
		ID: t.OrderID, UserID: t.BuyerID, Kind: domain.OrderKind, Lines: lines, Shipping: t.DeliverTo,
		Amounts:      orderdomain.Amounts{Currency: t.Currency, Subtotal: total, GrandTotal: total},
		PayableUntil: now.Add(a.cfg.PaymentWindow), CreatedAt: now, UpdatedAt: now,
	}
	o.Place(now)
	if err := orderapp.WriteNew(ctx, tx, a.deps.OrderTimers, &o); err != nil {
		return "", err
	}
	return o.Number, nil
}

// quoteChanged publishes the variant's best prices as they are now in tx.
func (a *App) quoteChanged(ctx context.Context, tx pgx.Tx, variantID string, now time.Time) error {
	q, err := store.QuoteOf(ctx, tx, variantID, now)
	if err != nil {
		return err
	}
	return events.QuoteChanged(ctx, tx, q, variantID)
}
