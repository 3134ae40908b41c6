// Package events enqueues what the payment service publishes, on the PAYMENT
// stream, inside the transaction of the state change it reports.
package events

import (
	"context"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	paymentv1 "github.com/jangteo/jangteo/gen/go/jangteo/payment/v1"
	"github.com/jangteo/jangteo/platform/events"
	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/services/payment/internal/domain"
)

// The subjects the payment service publishes.
const (
	SubjectApproved  = "payment.approved"
	SubjectFailed    = "payment.failed"
	SubjectCancelled = "payment.cancelled"
	SubjectRefunded  = "payment.refunded"
)

// Approved enqueues payment.approved.
func Approved(ctx context.Context, tx postgres.DB, p domain.Payment) error {
	_, err := events.Enqueue(ctx, tx, SubjectApproved, &paymentv1.PaymentApproved{
		PaymentId: p.ID, OrderId: p.OrderID, OrderNumber: p.OrderNumber, UserId: p.UserID,
		Provider: p.Provider, Amount: p.Amount, Currency: p.Currency,
		ApproveTime: timestamppb.New(p.ApprovedAt),
	})
	return err
}

// Failed enqueues payment.failed.
func Failed(ctx context.Context, tx postgres.DB, p domain.Payment) error {
	_, err := events.Enqueue(ctx, tx, SubjectFailed, &paymentv1.PaymentFailed{
		PaymentId: p.ID, OrderId: p.OrderID, OrderNumber: p.OrderNumber, UserId: p.UserID,
		Provider: p.Provider, Amount: p.Amount, Currency: p.Currency,
		Reason: p.FailureReason, FailTime: timestamppb.New(p.UpdatedAt),
	})
	return err
}

// Cancelled enqueues payment.cancelled.
func Cancelled(ctx context.Context, tx postgres.DB, p domain.Payment) error {
	_, err := events.Enqueue(ctx, tx, SubjectCancelled, &paymentv1.PaymentCancelled{
		PaymentId: p.ID, OrderId: p.OrderID, OrderNumber: p.OrderNumber, UserId: p.UserID,
		Provider: p.Provider, Amount: p.Amount, Currency: p.Currency,
		Reason: p.FailureReason, CancelTime: timestamppb.New(p.UpdatedAt),
	})
	return err
}

// Refunded enqueues payment.refunded for refund r, p being the payment after it.
func Refunded(ctx context.Context, tx postgres.DB, p domain.Payment, r domain.Refund, at time.Time) error {
	_, err := events.Enqueue(ctx, tx, SubjectRefunded, &paymentv1.PaymentRefunded{
		PaymentId: p.ID, OrderId: p.OrderID, OrderNumber: p.OrderNumber, UserId: p.UserID,
		Provider: p.Provider, Amount: p.Amount, Currency: p.Currency,
		RefundId: r.ID, RefundAmount: r.Amount, RefundedTotal: p.RefundedAmount,
		FullyRefunded: p.RefundedAmount >= p.Amount, Reason: r.Reason, RefundTime: timestamppb.New(at),
	})
	return err
}
