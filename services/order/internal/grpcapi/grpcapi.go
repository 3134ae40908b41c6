// Package grpcapi serves the order service over gRPC: proto ⇄ domain and
// the caller from the access policy; the use cases do the rest.
package grpcapi

import (
	"context"

	"google.golang.org/grpc/metadata"

	orderv1 "github.com/jangteo/jangteo/gen/go/jangteo/order/v1"
	"github.com/jangteo/jangteo/platform/auth"
	"github.com/jangteo/jangteo/platform/errs"
	"github.com/jangteo/jangteo/platform/idempotency"
	"github.com/jangteo/jangteo/services/order/internal/app"
	"github.com/jangteo/jangteo/services/order/internal/store"
)

// Server implements orderv1.OrderServiceServer.
type Server struct {
	orderv1.UnimplementedOrderServiceServer
	app *app.App
}

// New returns the gRPC server of the use cases.
func New(a *app.App) *Server { return &Server{app: a} }

// idempotencyKey is the client's Idempotency-Key (gRPC metadata
// "idempotency-key", forwarded by the gateway), passed on to the payment
// service so a retry returns the same payment or refund.
func idempotencyKey(ctx context.Context) (string, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	if v := md.Get("idempotency-key"); len(v) > 0 && v[0] != "" {
		return v[0], nil
	}
	return "", errs.InvalidFields(errs.Field("Idempotency-Key", "the Idempotency-Key header is required"))
}

// paymentKey is what keys the payment a PayOrder call creates at the
// payment service: derived from the call's key (scoped by buyer and method),
// so a retry returns the same payment, and another call's key never meets it.
func paymentKey(ctx context.Context) (string, error) {
	if k, ok := idempotency.Derive(ctx, "payment"); ok {
		return k, nil
	}
	return idempotencyKey(ctx)
}

// CreateOrder implements orderv1.OrderServiceServer.
func (s *Server) CreateOrder(ctx context.Context, req *orderv1.CreateOrderRequest) (*orderv1.CreateOrderResponse, error) {
	userID, err := auth.UserID(ctx)
	if err != nil {
		return nil, err
	}
	// The order's id comes from the call's key, so a retry finds the order
	// (and the catalog the reservation) an earlier run made.
	orderID, _ := idempotency.Derive(ctx, "order")
	o, err := s.app.Checkout(ctx, userID, orderID, ShippingFromProto(req.GetShipping()))
	if err != nil {
		return nil, err
	}
	return &orderv1.CreateOrderResponse{Order: toProtoOrder(o, true)}, nil
}

// ListOrders implements orderv1.OrderServiceServer.
func (s *Server) ListOrders(ctx context.Context, req *orderv1.ListOrdersRequest) (*orderv1.ListOrdersResponse, error) {
	userID, err := auth.UserID(ctx)
	if err != nil {
		return nil, err
	}
	p, err := s.app.Orders(ctx, userID, int(req.GetPageSize()), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	resp := &orderv1.ListOrdersResponse{NextPageToken: p.NextPageToken, TotalCount: int32(p.TotalCount)}
	for _, o := range p.Orders {
		resp.Orders = append(resp.Orders, toProtoOrder(o, false))
	}
	return resp, nil
}

// GetOrder implements orderv1.OrderServiceServer.
func (s *Server) GetOrder(ctx context.Context, req *orderv1.GetOrderRequest) (*orderv1.GetOrderResponse, error) {
	userID, err := auth.UserID(ctx)
	if err != nil {
		return nil, err
	}
	o, err := s.app.Order(ctx, userID, req.GetNumber())
	if err != nil {
		return nil, err
	}
	return &orderv1.GetOrderResponse{Order: toProtoOrder(o, true)}, nil
}

// CancelOrder implements orderv1.OrderServiceServer.
func (s *Server) CancelOrder(ctx context.Context, req *orderv1.CancelOrderRequest) (*orderv1.CancelOrderResponse, error) {
	userID, err := auth.UserID(ctx)
	if err != nil {
		return nil, err
	}
	o, err := s.app.Cancel(ctx, userID, req.GetNumber(), req.GetReason())
	if err != nil {
		return nil, err
	}
	return &orderv1.CancelOrderResponse{Order: toProtoOrder(o, true)}, nil
}

// PayOrder implements orderv1.OrderServiceServer.
func (s *Server) PayOrder(ctx context.Context, req *orderv1.PayOrderRequest) (*orderv1.PayOrderResponse, error) {
	userID, err := auth.UserID(ctx)
	if err != nil {
		return nil, err
	}
	key, err := paymentKey(ctx)
	if err != nil {
		return nil, err
	}
	p, err := s.app.Pay(ctx, userID, req.GetNumber(), app.PaymentRequest{
		Provider: req.GetProvider(), ReturnURL: req.GetReturnUrl(), CancelURL: req.GetCancelUrl(), IdempotencyKey: key,
	})
	if err != nil {
		return nil, err
	}
	return &orderv1.PayOrderResponse{Payment: p}, nil
}

// ListAllOrders implements orderv1.OrderServiceServer.
func (s *Server) ListAllOrders(ctx context.Context, req *orderv1.ListAllOrdersRequest) (*orderv1.ListAllOrdersResponse, error) {
	f := store.Filter{
		UserID: req.GetUserId(), Status: toDomainStatus(req.GetStatus()), NumberPrefix: req.GetNumber(),
	}
	if req.GetStartTime() != nil {
		f.From = req.GetStartTime().AsTime()
	}
	if req.GetEndTime() != nil {
		f.Until = req.GetEndTime().AsTime()
	}
	p, err := s.app.AllOrders(ctx, f, int(req.GetPageSize()), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	resp := &orderv1.ListAllOrdersResponse{NextPageToken: p.NextPageToken}
	for _, o := range p.Orders {
		resp.Orders = append(resp.Orders, toProtoOrder(o, false))
	}
	return resp, nil
}

// GetOrderAsStaff implements orderv1.OrderServiceServer.
func (s *Server) GetOrderAsStaff(ctx context.Context, req *orderv1.GetOrderAsStaffRequest) (*orderv1.GetOrderAsStaffResponse, error) {
	o, err := s.app.AnyOrder(ctx, req.GetNumber())
	if err != nil {
		return nil, err
	}
	return &orderv1.GetOrderAsStaffResponse{Order: toProtoOrder(o, true)}, nil
}

// AdvanceOrder implements orderv1.OrderServiceServer.
func (s *Server) AdvanceOrder(ctx context.Context, req *orderv1.AdvanceOrderRequest) (*orderv1.AdvanceOrderResponse, error) {
	staffID, err := auth.UserID(ctx)
	if err != nil {
		return nil, err
	}
	o, err := s.app.Advance(ctx, staffID, req.GetNumber(), toDomainStatus(req.GetStatus()), req.GetCarrier(), req.GetTrackingNumber(), req.GetNote())
	if err != nil {
		return nil, err
	}
	return &orderv1.AdvanceOrderResponse{Order: toProtoOrder(o, true)}, nil
}

// RefundOrder implements orderv1.OrderServiceServer.
func (s *Server) RefundOrder(ctx context.Context, req *orderv1.RefundOrderRequest) (*orderv1.RefundOrderResponse, error) {
	staffID, err := auth.UserID(ctx)
	if err != nil {
		return nil, err
	}
	key, err := idempotencyKey(ctx)
	if err != nil {
		return nil, err
	}
	if req.GetAmount() > 0 && len(req.GetLines()) > 0 {
		return nil, errs.InvalidFields(errs.Field("amount", "give either an amount or lines, not both"))
	}
	r := app.StaffRefund{StaffID: staffID, Amount: req.GetAmount(), Reason: req.GetReason(), Key: key}
	if len(req.GetLines()) > 0 {
		r.Lines = map[int32]int32{}
		for _, l := range req.GetLines() {
			r.Lines[l.GetLineNumber()] += l.GetQuantity()
		}
	}
	o, err := s.app.Refund(ctx, req.GetNumber(), r)
	if err != nil {
		return nil, err
	}
	return &orderv1.RefundOrderResponse{Order: toProtoOrder(o, true)}, nil
}
