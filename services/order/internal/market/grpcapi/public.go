package grpcapi

import (
	"context"

	"google.golang.org/protobuf/types/known/timestamppb"

	orderv1 "github.com/jangteo/jangteo/gen/go/jangteo/order/v1"
	"github.com/jangteo/jangteo/services/order/internal/market/events"
)

// GetProductMarket implements orderv1.MarketServiceServer.
func (s *Server) GetProductMarket(ctx context.Context, req *orderv1.GetProductMarketRequest) (*orderv1.GetProductMarketResponse, error) {
	p, vs, err := s.app.ProductMarket(ctx, req.GetSlug())
	if err != nil {
		return nil, err
	}
	out := &orderv1.GetProductMarketResponse{ProductId: p.ID}
	for _, v := range vs {
		q := &orderv1.VariantQuote{VariantId: v.ID, Options: v.Options, AskCount: v.AskCount, BidCount: v.BidCount}
		if v.LowestAsk > 0 {
			q.LowestAsk = events.Money(v.LowestAsk, p.Currency)
		}
		if v.HighestBid > 0 {
			q.HighestBid = events.Money(v.HighestBid, p.Currency)
		}
		if v.LastPrice > 0 {
			q.LastPrice, q.LastTradeTime = events.Money(v.LastPrice, p.Currency), timestamppb.New(v.LastTradeAt)
		}
		out.Variants = append(out.Variants, q)
	}
	return out, nil
}

// ListProductTrades implements orderv1.MarketServiceServer.
func (s *Server) ListProductTrades(ctx context.Context, req *orderv1.ListProductTradesRequest) (*orderv1.ListProductTradesResponse, error) {
	pg, err := page(req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	p, ts, next, err := s.app.ProductTrades(ctx, req.GetSlug(), pg)
	if err != nil {
		return nil, err
	}
	options := map[string]map[string]string{}
	for _, v := range p.Variants {
		options[v.ID] = v.Options
	}
	out := &orderv1.ListProductTradesResponse{NextPageToken: next}
	for _, t := range ts {
		out.Trades = append(out.Trades, &orderv1.MarketTrade{
			VariantId: t.VariantID, Options: options[t.VariantID], Price: events.Money(t.Price, t.Currency), TradeTime: timestamppb.New(t.At),
		})
	}
	return out, nil
}

// GetProductPriceHistory implements orderv1.MarketServiceServer.
func (s *Server) GetProductPriceHistory(ctx context.Context, req *orderv1.GetProductPriceHistoryRequest) (*orderv1.GetProductPriceHistoryResponse, error) {
	cs, err := s.app.PriceHistory(ctx, req.GetSlug(), req.GetVariantId(), req.GetInterval())
	if err != nil {
		return nil, err
	}
	out := &orderv1.GetProductPriceHistoryResponse{}
	for _, c := range cs {
		out.Candles = append(out.Candles, &orderv1.Candle{
			StartTime: timestamppb.New(c.Start), Open: events.Money(c.Open, c.Currency), High: events.Money(c.High, c.Currency),
			Low: events.Money(c.Low, c.Currency), Close: events.Money(c.Close, c.Currency), Volume: c.Volume,
		})
	}
	return out, nil
}
