package grpcapi

import (
	"context"

	orderv1 "github.com/jangteo/jangteo/gen/go/jangteo/order/v1"
	"github.com/jangteo/jangteo/services/order/internal/market/domain"
	"github.com/jangteo/jangteo/services/order/internal/market/events"
	"github.com/jangteo/jangteo/services/order/internal/market/store"
)

// ListTrades implements orderv1.MarketServiceServer: staff's view of every
// trade, naming its seller and buyer.
func (s *Server) ListTrades(ctx context.Context, req *orderv1.ListTradesRequest) (*orderv1.ListTradesResponse, error) {
	p, err := page(req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	f := store.TradeFilter{Status: domain.TradeStatus(req.GetStatus()), VariantID: req.GetVariantId()}
	ts, next, err := s.app.AllTrades(ctx, f, p)
	if err != nil {
		return nil, err
	}
	out := &orderv1.ListTradesResponse{NextPageToken: next}
	for _, t := range ts {
		out.Trades = append(out.Trades, &orderv1.StaffTrade{Trade: events.Trade(t, events.Staff), SellerId: t.SellerID, BuyerId: t.BuyerID})
	}
	return out, nil
}
