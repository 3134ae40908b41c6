package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"go.uber.org/zap"

	paymentv1 "github.com/jangteo/jangteo/gen/go/jangteo/payment/v1"
	"github.com/jangteo/jangteo/services/order/internal/bookings/domain"
	"github.com/jangteo/jangteo/services/order/internal/bookings/events"
	"github.com/jangteo/jangteo/services/order/internal/bookings/store"
)

// Pay starts a payment of one of userID's bookings while it is held. The
// amount is the booking's price; the client's idempotency key goes on to
// the payment service, so a retry returns the same payment.
func (a *App) Pay(ctx context.Context, userID, id string, r PaymentRequest) (*paymentv1.Payment, error) {
	b, err := a.Booking(ctx, userID, id)
	if err != nil {
		return nil, err
	}
	if !b.Payable(a.clock()) {
		return nil, domain.ErrNotPayable.With("booking %s is %s and cannot be paid", b.Number, b.Status)
	}
	return a.payments.Create(ctx, b, r)
}

// Approval is a payment of a booking the payment service approved.
type Approval struct {
	PaymentID, BookingID string
	Amount               int64
	Currency             string
}

// PaymentApproved confirms the held booking, inside the consumer's
// transaction. A payment that cannot confirm it — the hold expired, the
// guest cancelled, another payment confirmed it, or the amount is wrong —
// is refunded in full; a redelivery changes nothing.
func (a *App) PaymentApproved(ctx context.Context, tx pgx.Tx, p Approval) error {
	b, err := store.LockBooking(ctx, tx, p.BookingID)
	if err != nil {
		return err
	}
	if b.PaymentID == p.PaymentID {
		return nil
	}
	if p.Amount == b.Price && p.Currency == b.Currency {
		confirmed, ok, err := store.Confirm(ctx, tx, b.ID, p.PaymentID, a.clock())
		if err != nil {
			return err
		}
		if ok {
			if err := events.Publish(ctx, tx, events.SubjectConfirmed, confirmed); err != nil {
				return err
			}
			return a.timers.CompleteAt(ctx, tx, b.ID, b.End)
		}
	}
	a.log.Info("refunding a payment that cannot confirm its booking", zap.String("booking_id", b.ID),
		zap.String("payment_id", p.PaymentID), zap.String("status", string(b.Status)))
	_, err = a.payments.Refund(ctx, p.PaymentID, 0, fmt.Sprintf("booking %s is %s", b.Number, b.Status), "late-approval:"+p.PaymentID)
	if err != nil && !errors.Is(err, ErrNothingToRefund) {
		return fmt.Errorf("refund late approval: %w", err)
	}
	return nil
}

// ErrNothingToRefund is what Payments.Refund answers when the payment was refunded in full already.
var ErrNothingToRefund = errors.New("nothing left to refund")

// Cancel cancels a booking by its guest or its space's host and frees the
// slot. A confirmed booking is refunded through the payment service: in
// full when the host cancels or the guest does so early enough, else the
// policy's share.
func (a *App) Cancel(ctx context.Context, userID, id, reason string) (domain.Booking, error) {
	var out domain.Booking
	err := a.store.Tx(ctx, func(tx pgx.Tx) error {
		b, err := store.LockBooking(ctx, tx, id)
		if err != nil {
			return err
		}
		byHost := b.HostID == userID
		if b.UserID != userID && !byHost {
			return domain.ErrBookingNotFound.With("no booking %s", id)
		}
		if b.Status != domain.StatusPendingPayment && b.Status != domain.StatusConfirmed {
			return domain.ErrStateConflict.With("booking %s is %s and cannot be cancelled", b.Number, b.Status)
		}
		now := a.clock()
		refund := a.cfg.Cancel.Refund(b, byHost, now)
		if refund > 0 {
			who := "guest"
			if byHost {
				who = "host"
			}
			if _, err := a.payments.Refund(ctx, b.PaymentID, refund, fmt.Sprintf("booking %s cancelled by the %s: %s", b.Number, who, reason),
				"booking-cancel:"+b.ID); err != nil && !errors.Is(err, ErrNothingToRefund) {
				return err
			}
		}
		if err := store.Cancel(ctx, tx, b.ID, refund, now); err != nil {
			return err
		}
		b.Status, b.Refunded, b.UpdatedAt = domain.StatusCancelled, refund, now
		out = b
		return events.Publish(ctx, tx, events.SubjectReleased, b)
	})
	return out, err
}
