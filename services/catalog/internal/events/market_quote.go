package events

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/jackc/pgx/v5"

	orderv1 "github.com/jangteo/jangteo/gen/go/jangteo/order/v1"
	typev1 "github.com/jangteo/jangteo/gen/go/jangteo/type/v1"
	"github.com/jangteo/jangteo/platform/events"
	"github.com/jangteo/jangteo/services/catalog/internal/domain"
)

// MarketQuoteConsumer is the durable consumer of the market's quote events.
var MarketQuoteConsumer = events.ConsumerConfig{
	Name:     "catalog-market-quote",
	Service:  "order",
	Subjects: []string{"order.market.quote_changed"},
}

// QuoteRecorder is the use case the handler runs.
type QuoteRecorder interface {
	RecordMarketQuote(ctx context.Context, q domain.MarketQuote) error
}

// MarketQuoteChanged returns the handler that keeps the product page's
// buy-now and sell-now prices. The market enqueues each quote with the
// variant as its aggregate, so the event's aggregate sequence orders a
// variant's quotes: it is the projection's version.
func OnMarketQuote(inTx func(tx pgx.Tx) QuoteRecorder) events.Handler {
	return func(ctx context.Context, tx pgx.Tx, d events.Delivery) error {
		var ev orderv1.QuoteChanged
		if err := d.Decode(&ev); err != nil {
			return err
		}
		if _, err := uuid.Parse(ev.GetVariantId()); err != nil {
			return events.Permanent(fmt.Errorf("quote of variant %q: %w", ev.GetVariantId(), err))
		}
		return inTx(tx).RecordMarketQuote(ctx, domain.MarketQuote{
			VariantID: ev.GetVariantId(), BuyNow: money(ev.GetLowestAsk()), SellNow: money(ev.GetHighestBid()),
			Version: d.AggregateSeq, UpdatedAt: d.Enqueued,
		})
	}
}

func money(m *typev1.Money) *domain.Money {
	if m == nil {
		return nil
	}
	return &domain.Money{Amount: m.GetAmount(), Currency: m.GetCurrency()}
}
