package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/platform/paging"
	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/services/payment/internal/domain"
)

const paymentColumns = `id, order_id, order_number, user_id, order_name, provider, status,
	amount, currency, refunded_amount, refund_pending, provider_ref, provider_tx_id,
	redirect_url, return_url, cancel_url, failure_reason, idempotency_key,
	created_at, coalesce(approved_at, 'epoch'), updated_at`

func scanPayment(row pgx.Row) (domain.Payment, error) {
	var p domain.Payment
	var approved time.Time
	err := row.Scan(&p.ID, &p.OrderID, &p.OrderNumber, &p.UserID, &p.OrderName, &p.Provider, &p.Status,
		&p.Amount, &p.Currency, &p.RefundedAmount, &p.RefundPending, &p.ProviderRef, &p.ProviderTxID,
		&p.RedirectURL, &p.ReturnURL, &p.CancelURL, &p.FailureReason, &p.IdempotencyKey,
		&p.CreatedAt, &approved, &p.UpdatedAt)
	if err != nil {
		return p, err
	}
	if approved.Unix() != 0 {
		p.ApprovedAt = approved
	}
	return p, nil
}

func scanPayments(rows pgx.Rows) ([]domain.Payment, error) {
	defer rows.Close()
	var out []domain.Payment
	for rows.Next() {
		p, err := scanPayment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// CreatePayment inserts p unless the user already has a payment with its
// idempotency key; either way it returns the payment of that key and whether
// it is the one just inserted.
func CreatePayment(ctx context.Context, db postgres.DB, p domain.Payment) (domain.Payment, bool, error) {
	const q = `INSERT INTO payments (id, order_id, order_number, user_id, order_name, provider, status,
			amount, currency, return_url, cancel_url, idempotency_key, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)
		ON CONFLICT (user_id, idempotency_key) DO NOTHING
		RETURNING ` + paymentColumns
	got, err := scanPayment(db.QueryRow(ctx, q, p.ID, p.OrderID, p.OrderNumber, p.UserID, p.OrderName, p.Provider,
		p.Status, p.Amount, p.Currency, p.ReturnURL, p.CancelURL, p.IdempotencyKey, p.CreatedAt))
	if err == nil {
		return got, true, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return domain.Payment{}, false, fmt.Errorf("db: create payment: %w", err)
	}
	const existing = `SELECT ` + paymentColumns + ` FROM payments WHERE user_id = $1 AND idempotency_key = $2`
	got, err = scanPayment(db.QueryRow(ctx, existing, p.UserID, p.IdempotencyKey))
	if err != nil {
		return domain.Payment{}, false, fmt.Errorf("db: payment by key: %w", err)
	}
	return got, false, nil
}

// Payment reads a payment; domain.ErrNotFound when there is none.
func Payment(ctx context.Context, db postgres.DB, id string) (domain.Payment, error) {
	const q = `SELECT ` + paymentColumns + ` FROM payments WHERE id = $1`
	return one(db.QueryRow(ctx, q, id), id)
}

// LockPayment reads a payment and locks its row until the transaction ends.
func LockPayment(ctx context.Context, tx pgx.Tx, id string) (domain.Payment, error) {
	const q = `SELECT ` + paymentColumns + ` FROM payments WHERE id = $1 FOR UPDATE`
	return one(tx.QueryRow(ctx, q, id), id)
}

func one(row pgx.Row, id string) (domain.Payment, error) {
	p, err := scanPayment(row)
	if errors.Is(err, pgx.ErrNoRows) {
		return p, domain.ErrNotFound
	}
	if err != nil {
		return p, fmt.Errorf("db: payment %s: %w", id, err)
	}
	return p, nil
}

// transition moves a payment to status to in one conditional UPDATE that
// only matches the statuses the domain allows as sources, also setting the
// extra assignments in set (whose parameters start at $4). ok is false when
// the payment was not in such a status: another transition got there first.
func transition(ctx context.Context, db postgres.DB, id string, to domain.Status, at time.Time, set string, args ...any) (p domain.Payment, ok bool, err error) {
	q := `UPDATE payments SET status = $2, updated_at = $3` + set + `
		WHERE id = $1 AND status = ANY($` + strconv.Itoa(4+len(args)) + `)
		RETURNING ` + paymentColumns
	params := append([]any{id, to, at}, args...)
	params = append(params, domain.Sources(to))
	p, err = scanPayment(db.QueryRow(ctx, q, params...))
	if errors.Is(err, pgx.ErrNoRows) {
		return p, false, nil
	}
	if err != nil {
		return p, false, fmt.Errorf("db: payment %s to %s: %w", id, to, err)
	}
	return p, true, nil
}

// MarkReady records the provider's registration: CREATED → READY.
func MarkReady(ctx context.Context, db postgres.DB, id, ref, redirectURL string, at time.Time) (domain.Payment, bool, error) {
	return transition(ctx, db, id, domain.StatusReady, at, `, provider_ref = $4, redirect_url = $5`, ref, redirectURL)
}

// MarkApproved records the money taken: READY → APPROVED. This row decides
// every race around an approval.
func MarkApproved(ctx context.Context, db postgres.DB, id, txID string, at time.Time) (domain.Payment, bool, error) {
	return transition(ctx, db, id, domain.StatusApproved, at, `, provider_tx_id = $4, approved_at = $3`, txID)
}

// MarkFailed records a decline: CREATED or READY → FAILED.
func MarkFailed(ctx context.Context, db postgres.DB, id, reason string, at time.Time) (domain.Payment, bool, error) {
	return transition(ctx, db, id, domain.StatusFailed, at, `, failure_reason = $4`, reason)
}

// CancelOpen cancels every CREATED or READY payment of an order and returns them.
func CancelOpen(ctx context.Context, db postgres.DB, orderID, reason string, at time.Time) ([]domain.Payment, error) {
	const q = `UPDATE payments SET status = 'cancelled', failure_reason = $2, updated_at = $3
		WHERE order_id = $1 AND status = ANY($4)
		RETURNING ` + paymentColumns
	rows, err := db.Query(ctx, q, orderID, reason, at, domain.Sources(domain.StatusCancelled))
	if err != nil {
		return nil, fmt.Errorf("db: cancel payments of %s: %w", orderID, err)
	}
	ps, err := scanPayments(rows)
	if err != nil {
		return nil, fmt.Errorf("db: cancel payments of %s: %w", orderID, err)
	}
	return ps, nil
}

// Filter narrows a payment list.
type Filter struct {
	OrderID string
	Status  domain.Status
}

// ListPayments returns a page of payments, newest first, and how many match.
func ListPayments(ctx context.Context, db postgres.DB, f Filter, page paging.Page) ([]domain.Payment, int64, error) {
	const where = ` WHERE ($1 = '' OR order_id::text = $1) AND ($2 = '' OR status = $2)`
	var total int64
	if err := db.QueryRow(ctx, `SELECT count(*) FROM payments`+where, f.OrderID, f.Status).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("db: count payments: %w", err)
	}
	q := `SELECT ` + paymentColumns + ` FROM payments` + where + ` ORDER BY created_at DESC, id DESC LIMIT $3 OFFSET $4`
	rows, err := db.Query(ctx, q, f.OrderID, f.Status, page.Size, page.Offset())
	if err != nil {
		return nil, 0, fmt.Errorf("db: list payments: %w", err)
	}
	ps, err := scanPayments(rows)
	if err != nil {
		return nil, 0, fmt.Errorf("db: list payments: %w", err)
	}
	return ps, total, nil
}
