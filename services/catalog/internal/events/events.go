// Package events defines what the catalog publishes and handles what it
// consumes.
package events

import (
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
	typev1 "github.com/jangteo/jangteo/gen/go/jangteo/type/v1"
	"github.com/jangteo/jangteo/services/catalog/internal/domain"
)

// Subjects the catalog publishes on.
const (
	SubjectProductChanged = "catalog.product_changed"
	SubjectStockChanged   = "catalog.stock_changed"
	SubjectMarketQuote    = "catalog.market_quote_changed"
)

var changes = map[domain.ProductChange]catalogv1.ProductChanged_Change{
	domain.ProductCreated:      catalogv1.ProductChanged_CHANGE_CREATED,
	domain.ProductUpdated:      catalogv1.ProductChanged_CHANGE_UPDATED,
	domain.ProductPriceChanged: catalogv1.ProductChanged_CHANGE_PRICE,
	domain.ProductArchived:     catalogv1.ProductChanged_CHANGE_ARCHIVED,
}

// ProductChanged is the event for a product after change.
func ProductChanged(p domain.Product, change domain.ProductChange, at time.Time) *catalogv1.ProductChanged {
	return &catalogv1.ProductChanged{
		ProductId: p.ID,
		Change:    changes[change],
		Slug:      p.Slug,
		Name:      p.Name,
		Price:     &typev1.Money{Amount: p.Price.Amount, Currency: p.Price.Currency},
		Available: p.Available,
		Archived:  p.Archived,
		OccurTime: timestamppb.New(at),
	}
}

var reasons = map[domain.StockReason]catalogv1.StockChanged_Reason{
	domain.StockReserved: catalogv1.StockChanged_REASON_RESERVED,
	domain.StockReleased: catalogv1.StockChanged_REASON_RELEASED,
	domain.StockAdjusted: catalogv1.StockChanged_REASON_ADJUSTED,
}

// StockChanged is the event for a movement of a variant's stock.
func StockChanged(c domain.StockChange, at time.Time) *catalogv1.StockChanged {
	return &catalogv1.StockChanged{
		VariantId: c.VariantID,
		ProductId: c.ProductID,
		Reason:    reasons[c.Reason],
		Delta:     c.Delta,
		Stock:     c.Stock,
		OrderId:   c.OrderID,
		OccurTime: timestamppb.New(at),
	}
}

// MarketQuoteChanged is the event for a variant's projected market prices.
func MarketQuoteChanged(productID string, q domain.MarketQuote) *catalogv1.MarketQuoteChanged {
	return &catalogv1.MarketQuoteChanged{
		ProductId: productID,
		VariantId: q.VariantID,
		BuyNow:    protoMoney(q.BuyNow),
		SellNow:   protoMoney(q.SellNow),
		OccurTime: timestamppb.New(q.UpdatedAt),
	}
}

func protoMoney(m *domain.Money) *typev1.Money {
	if m == nil {
		return nil
	}
	return &typev1.Money{Amount: m.Amount, Currency: m.Currency}
}
