// Package grpcapi serves the resale market over gRPC: proto ⇄ domain and the
// caller from the access policy; the use cases do the rest.
package grpcapi

import (
	"context"

	orderv1 "github.com/jangteo/jangteo/gen/go/jangteo/order/v1"
	"github.com/jangteo/jangteo/platform/auth"
	"github.com/jangteo/jangteo/platform/errs"
	orderdomain "github.com/jangteo/jangteo/services/order/internal/domain"
	ordergrpc "github.com/jangteo/jangteo/services/order/internal/grpcapi"
	"github.com/jangteo/jangteo/services/order/internal/market/app"
	"github.com/jangteo/jangteo/services/order/internal/market/domain"
	"github.com/jangteo/jangteo/services/order/internal/market/events"
	"github.com/jangteo/jangteo/services/order/internal/market/store"
)

// Server implements orderv1.MarketServiceServer.
type Server struct {
	orderv1.UnimplementedMarketServiceServer
	app *app.App
}

// New returns the gRPC server of the market's use cases.
func New(a *app.App) *Server { return &Server{app: a} }

func page(size int32, token string) (store.Page, error) {
	after, ok := store.ParseToken(token)
	if !ok {
		return store.Page{}, errs.InvalidFields(errs.Field("page_token", "not a token from a previous page"))
	}
	if size == 0 {
		size = 20
	}
	return store.Page{After: after, Limit: int(size)}, nil
}

// PlaceAsk implements orderv1.MarketServiceServer.
func (s *Server) PlaceAsk(ctx context.Context, req *orderv1.PlaceAskRequest) (*orderv1.PlaceAskResponse, error) {
	userID, err := auth.UserID(ctx)
	if err != nil {
		return nil, err
	}
	o, t, err := s.app.Place(ctx, userID, domain.Ask, req.GetVariantId(), req.GetPrice(), req.GetExpiresInDays(), orderdomain.Shipping{})
	if err != nil {
		return nil, err
	}
	out := &orderv1.PlaceAskResponse{Ask: events.Offer(o)}
	if t != nil {
		out.Trade = events.Trade(*t, userID)
	}
	return out, nil
}

// PlaceBid implements orderv1.MarketServiceServer.
func (s *Server) PlaceBid(ctx context.Context, req *orderv1.PlaceBidRequest) (*orderv1.PlaceBidResponse, error) {
	userID, err := auth.UserID(ctx)
	if err != nil {
		return nil, err
	}
	o, t, err := s.app.Place(ctx, userID, domain.Bid, req.GetVariantId(), req.GetPrice(), req.GetExpiresInDays(),
		ordergrpc.ShippingFromProto(req.GetShipping()))
	if err != nil {
		return nil, err
	}
	out := &orderv1.PlaceBidResponse{Bid: events.Offer(o)}
	if t != nil {
		out.Trade = events.Trade(*t, userID)
	}
	return out, nil
}

// BuyNow implements orderv1.MarketServiceServer.
func (s *Server) BuyNow(ctx context.Context, req *orderv1.BuyNowRequest) (*orderv1.BuyNowResponse, error) {
	userID, err := auth.UserID(ctx)
	if err != nil {
		return nil, err
	}
	t, err := s.app.Take(ctx, userID, domain.Bid, req.GetVariantId(), req.GetExpectedPrice(), ordergrpc.ShippingFromProto(req.GetShipping()))
	if err != nil {
		return nil, err
	}
	return &orderv1.BuyNowResponse{Trade: events.Trade(t, userID)}, nil
}

// SellNow implements orderv1.MarketServiceServer.
func (s *Server) SellNow(ctx context.Context, req *orderv1.SellNowRequest) (*orderv1.SellNowResponse, error) {
	userID, err := auth.UserID(ctx)
	if err != nil {
		return nil, err
	}
	t, err := s.app.Take(ctx, userID, domain.Ask, req.GetVariantId(), req.GetExpectedPrice(), orderdomain.Shipping{})
	if err != nil {
		return nil, err
	}
	return &orderv1.SellNowResponse{Trade: events.Trade(t, userID)}, nil
}

// CancelAsk implements orderv1.MarketServiceServer.
func (s *Server) CancelAsk(ctx context.Context, req *orderv1.CancelAskRequest) (*orderv1.CancelAskResponse, error) {
	userID, err := auth.UserID(ctx)
	if err != nil {
		return nil, err
	}
	o, err := s.app.Cancel(ctx, userID, domain.Ask, req.GetId())
	if err != nil {
		return nil, err
	}
	return &orderv1.CancelAskResponse{Ask: events.Offer(o)}, nil
}

// CancelBid implements orderv1.MarketServiceServer.
func (s *Server) CancelBid(ctx context.Context, req *orderv1.CancelBidRequest) (*orderv1.CancelBidResponse, error) {
	userID, err := auth.UserID(ctx)
	if err != nil {
		return nil, err
	}
	o, err := s.app.Cancel(ctx, userID, domain.Bid, req.GetId())
	if err != nil {
		return nil, err
	}
	return &orderv1.CancelBidResponse{Bid: events.Offer(o)}, nil
}

// PreviewAsk implements orderv1.MarketServiceServer.
func (s *Server) PreviewAsk(ctx context.Context, req *orderv1.PreviewAskRequest) (*orderv1.PreviewAskResponse, error) {
	p, err := s.app.PreviewAsk(ctx, req.GetVariantId(), req.GetPrice())
	if err != nil {
		return nil, err
	}
	return &orderv1.PreviewAskResponse{
		Price: events.Money(p.Price, p.Currency), SellerFee: events.Money(p.SellerFee, p.Currency),
		Payout: events.Money(p.Payout, p.Currency), Explanation: p.Explanation,
	}, nil
}

// ListMyAsks implements orderv1.MarketServiceServer.
func (s *Server) ListMyAsks(ctx context.Context, req *orderv1.ListMyAsksRequest) (*orderv1.ListMyAsksResponse, error) {
	offers, next, err := s.offers(ctx, domain.Ask, req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	return &orderv1.ListMyAsksResponse{Asks: offers, NextPageToken: next}, nil
}

// ListMyBids implements orderv1.MarketServiceServer.
func (s *Server) ListMyBids(ctx context.Context, req *orderv1.ListMyBidsRequest) (*orderv1.ListMyBidsResponse, error) {
	offers, next, err := s.offers(ctx, domain.Bid, req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	return &orderv1.ListMyBidsResponse{Bids: offers, NextPageToken: next}, nil
}

func (s *Server) offers(ctx context.Context, side domain.Side, size int32, token string) ([]*orderv1.Offer, string, error) {
	userID, err := auth.UserID(ctx)
	if err != nil {
		return nil, "", err
	}
	p, err := page(size, token)
	if err != nil {
		return nil, "", err
	}
	os, next, err := s.app.Offers(ctx, userID, side, p)
	if err != nil {
		return nil, "", err
	}
	out := make([]*orderv1.Offer, len(os))
	for i, o := range os {
		out[i] = events.Offer(o)
	}
	return out, next, nil
}

// ListMyTrades implements orderv1.MarketServiceServer.
func (s *Server) ListMyTrades(ctx context.Context, req *orderv1.ListMyTradesRequest) (*orderv1.ListMyTradesResponse, error) {
	userID, err := auth.UserID(ctx)
	if err != nil {
		return nil, err
	}
	p, err := page(req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	ts, next, err := s.app.Trades(ctx, userID, p)
	if err != nil {
		return nil, err
	}
	out := &orderv1.ListMyTradesResponse{NextPageToken: next}
	for _, t := range ts {
		out.Trades = append(out.Trades, events.Trade(t, userID))
	}
	return out, nil
}

// ListMyLedger implements orderv1.MarketServiceServer.
func (s *Server) ListMyLedger(ctx context.Context, req *orderv1.ListMyLedgerRequest) (*orderv1.ListMyLedgerResponse, error) {
	userID, err := auth.UserID(ctx)
	if err != nil {
		return nil, err
	}
	p, err := page(req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	es, next, err := s.app.Ledger(ctx, userID, p)
	if err != nil {
		return nil, err
	}
	out := &orderv1.ListMyLedgerResponse{NextPageToken: next}
	for _, e := range es {
		out.Entries = append(out.Entries, events.LedgerEntry(e))
	}
	return out, nil
}

// InspectTrade implements orderv1.MarketServiceServer.
func (s *Server) InspectTrade(ctx context.Context, req *orderv1.InspectTradeRequest) (*orderv1.InspectTradeResponse, error) {
	staffID, err := auth.UserID(ctx)
	if err != nil {
		return nil, err
	}
	t, err := s.app.Inspect(ctx, staffID, req.GetId(), app.Verdict{
		Passed: req.GetPassed(), Note: req.GetNote(), Carrier: req.GetCarrier(), TrackingNumber: req.GetTrackingNumber(),
	})
	if err != nil {
		return nil, err
	}
	return &orderv1.InspectTradeResponse{Trade: events.Trade(t, events.Staff)}, nil
}

// ShipSale implements orderv1.MarketServiceServer.
func (s *Server) ShipSale(ctx context.Context, req *orderv1.ShipSaleRequest) (*orderv1.ShipSaleResponse, error) {
	userID, err := auth.UserID(ctx)
	if err != nil {
		return nil, err
	}
	t, err := s.app.ShipSale(ctx, userID, req.GetId(), req.GetCarrier(), req.GetTrackingNumber())
	if err != nil {
		return nil, err
	}
	return &orderv1.ShipSaleResponse{Trade: events.Trade(t, userID)}, nil
}

// ReceiveTrade implements orderv1.MarketServiceServer.
func (s *Server) ReceiveTrade(ctx context.Context, req *orderv1.ReceiveTradeRequest) (*orderv1.ReceiveTradeResponse, error) {
	t, err := s.app.Receive(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return &orderv1.ReceiveTradeResponse{Trade: events.Trade(t, events.Staff)}, nil
}
