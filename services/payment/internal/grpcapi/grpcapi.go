// Package grpcapi serves the payment service over gRPC: it converts between
// protobuf and the domain and says who is calling; access checks, validation
// and error mapping are the platform's interceptors'.
package grpcapi

import (
	"context"
	"net/http"

	"google.golang.org/protobuf/types/known/timestamppb"

	paymentv1 "github.com/jangteo/jangteo/gen/go/jangteo/payment/v1"
	"github.com/jangteo/jangteo/platform/auth"
	"github.com/jangteo/jangteo/platform/grpcserver"
	"github.com/jangteo/jangteo/services/payment/internal/app"
	"github.com/jangteo/jangteo/services/payment/internal/domain"
	"github.com/jangteo/jangteo/services/payment/internal/store"
)

// Server implements paymentv1.PaymentServiceServer.
type Server struct {
	paymentv1.UnimplementedPaymentServiceServer
	app *app.App
}

// New returns the gRPC server over the use cases.
func New(a *app.App) *Server { return &Server{app: a} }

// CreatePayment implements paymentv1.PaymentServiceServer.
func (s *Server) CreatePayment(ctx context.Context, req *paymentv1.CreatePaymentRequest) (*paymentv1.CreatePaymentResponse, error) {
	p, err := s.app.CreatePayment(ctx, app.CreatePayment{
		OrderID: req.GetOrderId(), OrderNumber: req.GetOrderNumber(), UserID: req.GetUserId(),
		OrderName: req.GetOrderName(), Provider: req.GetProvider(), Amount: req.GetAmount(),
		Currency: req.GetCurrency(), ReturnURL: req.GetReturnUrl(), CancelURL: req.GetCancelUrl(),
		IdempotencyKey: req.GetIdempotencyKey(),
	})
	if err != nil {
		return nil, err
	}
	return &paymentv1.CreatePaymentResponse{Payment: toProto(p)}, nil
}

// GetPayment implements paymentv1.PaymentServiceServer.
func (s *Server) GetPayment(ctx context.Context, req *paymentv1.GetPaymentRequest) (*paymentv1.GetPaymentResponse, error) {
	principal, _ := auth.FromContext(ctx)
	p, err := s.app.GetPayment(ctx, app.Viewer{UserID: principal.UserID, Staff: principal.IsStaff()}, req.GetId())
	if err != nil {
		return nil, err
	}
	return &paymentv1.GetPaymentResponse{Payment: toProto(p)}, nil
}

// RefundPayment implements paymentv1.PaymentServiceServer.
func (s *Server) RefundPayment(ctx context.Context, req *paymentv1.RefundPaymentRequest) (*paymentv1.RefundPaymentResponse, error) {
	p, err := s.app.RefundPayment(ctx, app.RefundPayment{
		PaymentID: req.GetPaymentId(), Amount: req.GetAmount(), Reason: req.GetReason(),
		IdempotencyKey: req.GetIdempotencyKey(),
	})
	if err != nil {
		return nil, err
	}
	return &paymentv1.RefundPaymentResponse{Payment: toProto(p)}, nil
}

// CancelPayments implements paymentv1.PaymentServiceServer.
func (s *Server) CancelPayments(ctx context.Context, req *paymentv1.CancelPaymentsRequest) (*paymentv1.CancelPaymentsResponse, error) {
	ps, err := s.app.CancelPayments(ctx, req.GetOrderId(), req.GetReason())
	if err != nil {
		return nil, err
	}
	return &paymentv1.CancelPaymentsResponse{Payments: toProtos(ps)}, nil
}

// ListPayments implements paymentv1.PaymentServiceServer.
func (s *Server) ListPayments(ctx context.Context, req *paymentv1.ListPaymentsRequest) (*paymentv1.ListPaymentsResponse, error) {
	page, err := s.app.ListPayments(ctx, store.Filter{OrderID: req.GetOrderId(), Status: fromProtoStatus(req.GetStatus())},
		int(req.GetPage()), int(req.GetPageSize()))
	if err != nil {
		return nil, err
	}
	return &paymentv1.ListPaymentsResponse{
		Payments: toProtos(page.Payments), TotalCount: int32(page.Total),
		Page: int32(page.Page), TotalPages: int32(page.TotalPages),
	}, nil
}

// ApproveSandboxPayment implements paymentv1.PaymentServiceServer: over HTTP
// the buyer's browser is sent on to the shop's return URL.
func (s *Server) ApproveSandboxPayment(ctx context.Context, req *paymentv1.ApproveSandboxPaymentRequest) (*paymentv1.ApproveSandboxPaymentResponse, error) {
	p, err := s.app.ApproveSandbox(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	grpcserver.SetRedirect(ctx, http.StatusSeeOther, p.ReturnTo(true))
	return &paymentv1.ApproveSandboxPaymentResponse{Payment: toProto(p)}, nil
}

// DeclineSandboxPayment implements paymentv1.PaymentServiceServer: over HTTP
// the buyer's browser is sent on to the shop's cancel URL.
func (s *Server) DeclineSandboxPayment(ctx context.Context, req *paymentv1.DeclineSandboxPaymentRequest) (*paymentv1.DeclineSandboxPaymentResponse, error) {
	p, err := s.app.DeclineSandbox(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	grpcserver.SetRedirect(ctx, http.StatusSeeOther, p.ReturnTo(false))
	return &paymentv1.DeclineSandboxPaymentResponse{Payment: toProto(p)}, nil
}

var statusToProto = map[domain.Status]paymentv1.PaymentStatus{
	domain.StatusCreated:           paymentv1.PaymentStatus_PAYMENT_STATUS_CREATED,
	domain.StatusReady:             paymentv1.PaymentStatus_PAYMENT_STATUS_READY,
	domain.StatusApproved:          paymentv1.PaymentStatus_PAYMENT_STATUS_APPROVED,
	domain.StatusFailed:            paymentv1.PaymentStatus_PAYMENT_STATUS_FAILED,
	domain.StatusCancelled:         paymentv1.PaymentStatus_PAYMENT_STATUS_CANCELLED,
	domain.StatusPartiallyRefunded: paymentv1.PaymentStatus_PAYMENT_STATUS_PARTIALLY_REFUNDED,
	domain.StatusRefunded:          paymentv1.PaymentStatus_PAYMENT_STATUS_REFUNDED,
}

func fromProtoStatus(s paymentv1.PaymentStatus) domain.Status {
	for d, p := range statusToProto {
		if p == s {
			return d
		}
	}
	return ""
}

func toProto(p domain.Payment) *paymentv1.Payment {
	out := &paymentv1.Payment{
		Id: p.ID, OrderId: p.OrderID, OrderNumber: p.OrderNumber, UserId: p.UserID,
		Provider: p.Provider, Status: statusToProto[p.Status], Amount: p.Amount, Currency: p.Currency,
		RefundedAmount: p.RefundedAmount, RedirectUrl: p.RedirectURL, ReturnUrl: p.ReturnURL,
		CancelUrl: p.CancelURL, FailureReason: p.FailureReason,
		CreateTime: timestamppb.New(p.CreatedAt), UpdateTime: timestamppb.New(p.UpdatedAt),
	}
	if !p.ApprovedAt.IsZero() {
		out.ApproveTime = timestamppb.New(p.ApprovedAt)
	}
	return out
}

func toProtos(ps []domain.Payment) []*paymentv1.Payment {
	out := make([]*paymentv1.Payment, len(ps))
	for i, p := range ps {
		out[i] = toProto(p)
	}
	return out
}
