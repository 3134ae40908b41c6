package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/services/payment/internal/domain"
)

const refundColumns = `id, payment_id, idempotency_key, amount, reason, status, provider_refund_id,
	failure_reason, created_at, coalesce(completed_at, 'epoch')`

func scanRefund(row pgx.Row) (domain.Refund, error) {
	var r domain.Refund
	var completed time.Time
	err := row.Scan(&r.ID, &r.PaymentID, &r.IdempotencyKey, &r.Amount, &r.Reason, &r.Status,
		&r.ProviderRefundID, &r.FailureReason, &r.CreatedAt, &completed)
	if completed.Unix() != 0 {
		r.CompletedAt = completed
	}
	return r, err
}

// RefundByKey reads the refund a payment has under an idempotency key; ok is
// false when there is none.
func RefundByKey(ctx context.Context, db postgres.DB, paymentID, key string) (r domain.Refund, ok bool, err error) {
	const q = `SELECT ` + refundColumns + ` FROM refunds WHERE payment_id = $1 AND idempotency_key = $2`
	r, err = scanRefund(db.QueryRow(ctx, q, paymentID, key))
	if errors.Is(err, pgx.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("db: refund by key: %w", err)
	}
	return r, true, nil
}

// StartRefund records a pending refund and reserves its amount on the
// payment, whose row the caller has locked.
func StartRefund(ctx context.Context, tx pgx.Tx, r domain.Refund) error {
	const insert = `INSERT INTO refunds (id, payment_id, idempotency_key, amount, reason, status, created_at)
		VALUES ($1, $2, $3, $4, $5, 'pending', $6)`
	if _, err := tx.Exec(ctx, insert, r.ID, r.PaymentID, r.IdempotencyKey, r.Amount, r.Reason, r.CreatedAt); err != nil {
		return fmt.Errorf("db: start refund: %w", err)
	}
	const reserve = `UPDATE payments SET refund_pending = refund_pending + $2, updated_at = $3 WHERE id = $1`
	if _, err := tx.Exec(ctx, reserve, r.PaymentID, r.Amount, r.CreatedAt); err != nil {
		return fmt.Errorf("db: reserve refund: %w", err)
	}
	return nil
}

// SettleRefund ends a pending refund, succeeded or failed, releasing its
// reservation and, on success, adding it to the refunded amount and moving
// the payment to status. The caller holds the payment's row lock. ok is
// false when the refund was not pending any more (settled by another call).
func SettleRefund(ctx context.Context, tx pgx.Tx, r domain.Refund, status domain.Status) (domain.Payment, bool, error) {
	const settle = `UPDATE refunds SET status = $2, provider_refund_id = $3, failure_reason = $4, completed_at = $5
		WHERE id = $1 AND status = 'pending'`
	tag, err := tx.Exec(ctx, settle, r.ID, r.Status, r.ProviderRefundID, r.FailureReason, r.CompletedAt)
	if err != nil {
		return domain.Payment{}, false, fmt.Errorf("db: settle refund: %w", err)
	}
	if tag.RowsAffected() == 0 {
		p, err := LockPayment(ctx, tx, r.PaymentID)
		return p, false, err
	}
	refunded := int64(0)
	if r.Status == domain.RefundSucceeded {
		refunded = r.Amount
	}
	const q = `UPDATE payments SET refund_pending = refund_pending - $2, refunded_amount = refunded_amount + $3,
			status = $4, updated_at = $5
		WHERE id = $1
		RETURNING ` + paymentColumns
	p, err := scanPayment(tx.QueryRow(ctx, q, r.PaymentID, r.Amount, refunded, status, r.CompletedAt))
	if err != nil {
		return p, false, fmt.Errorf("db: settle refund on payment: %w", err)
	}
	return p, true, nil
}
