// Package sandbox is Jangteo's own payment provider for development and tests:
// no money moves, but it keeps a ledger like a real provider (in the payment
// schema's sandbox_* tables) so that it answers lookups and refunds as one
// would. Its approval page is served by the payment service itself at
// /v1/payments/{id}/sandbox; the buyer's click there is Authorize or Decline.
package sandbox

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/services/payment/internal/provider"
)

// Name is the sandbox's provider name.
const Name = "sandbox"

// Provider is the sandbox provider.
type Provider struct {
	pool      *pgxpool.Pool
	publicURL string
}

// New returns the sandbox over the payment schema's pool; publicURL is the
// gateway's address as browsers reach it (its approval pages live there).
func New(pool *pgxpool.Pool, publicURL string) *Provider {
	return &Provider{pool: pool, publicURL: strings.TrimRight(publicURL, "/")}
}

var _ provider.Provider = (*Provider)(nil)

// Name implements provider.Provider.
func (*Provider) Name() string { return Name }

// PageURL is the approval page of a payment.
func (s *Provider) PageURL(paymentID string) string {
	return s.publicURL + "/v1/payments/" + url.PathEscape(paymentID) + "/sandbox"
}

// Prepare opens a ledger row for the payment (once: a retry returns it).
func (s *Provider) Prepare(ctx context.Context, r provider.PrepareRequest) (provider.Prepared, error) {
	const q = `INSERT INTO sandbox_transactions (ref, payment_id, amount, currency, status)
		VALUES ($1, $2, $3, $4, 'pending')
		ON CONFLICT (payment_id) DO UPDATE SET payment_id = EXCLUDED.payment_id
		RETURNING ref`
	var ref string
	if err := s.pool.QueryRow(ctx, q, "sbx_"+uuid.NewString(), r.ID, r.Amount, r.Currency).Scan(&ref); err != nil {
		return provider.Prepared{}, fmt.Errorf("sandbox: prepare: %w", err)
	}
	return provider.Prepared{Ref: ref, RedirectURL: s.PageURL(r.ID)}, nil
}

// Authorize is the buyer's Approve click on the sandbox page: the provider's
// side of the approval, which Approve then completes. Repeating it is harmless.
func (s *Provider) Authorize(ctx context.Context, ref string) error {
	return s.decide(ctx, ref, "authorized")
}

// Decline is the buyer's Decline click: Approve will fail with ErrDeclined.
func (s *Provider) Decline(ctx context.Context, ref string) error {
	return s.decide(ctx, ref, "declined")
}

func (s *Provider) decide(ctx context.Context, ref, status string) error {
	const q = `UPDATE sandbox_transactions SET status = $2 WHERE ref = $1 AND status = 'pending'`
	if _, err := s.pool.Exec(ctx, q, ref, status); err != nil {
		return fmt.Errorf("sandbox: %s: %w", status, err)
	}
	return nil
}

// Approve captures an authorized payment; capturing it again returns the
// same approval.
func (s *Provider) Approve(ctx context.Context, r provider.ApproveRequest) (provider.Approval, error) {
	const q = `UPDATE sandbox_transactions SET status = 'captured', captured_at = now()
		WHERE ref = $1 AND status = 'authorized' AND amount = $2 AND currency = $3`
	if _, err := s.pool.Exec(ctx, q, r.Ref, r.Amount, r.Currency); err != nil {
		return provider.Approval{}, fmt.Errorf("sandbox: approve: %w", err)
	}
	t, err := s.transaction(ctx, r.Ref, r.ID)
	if err != nil {
		return provider.Approval{}, err
	}
	switch {
	case t.amount != r.Amount || t.currency != r.Currency:
		return provider.Approval{}, fmt.Errorf("sandbox: %d %s at the provider, %d %s asked: %w",
			t.amount, t.currency, r.Amount, r.Currency, provider.ErrAmountMismatch)
	case t.status == "declined":
		return provider.Approval{}, fmt.Errorf("sandbox: declined by the buyer: %w", provider.ErrDeclined)
	case t.status == "pending":
		return provider.Approval{}, provider.ErrNotApproved
	}
	return provider.Approval{TxID: t.ref, Amount: t.amount, Currency: t.currency, ApprovedAt: t.capturedAt}, nil
}

// Lookup reports the ledger row.
func (s *Provider) Lookup(ctx context.Context, r provider.LookupRequest) (provider.Status, error) {
	t, err := s.transaction(ctx, r.Ref, r.ID)
	if err != nil {
		return provider.Status{}, err
	}
	st := provider.Status{Amount: t.amount, Refunded: t.refunded}
	switch t.status {
	case "pending":
		st.State = provider.StatePending
	case "authorized":
		st.State = provider.StateAuthorized
	case "declined":
		st.State = provider.StateFailed
	case "captured":
		st.State, st.TxID = provider.StateApproved, t.ref
	}
	return st, nil
}

// Refund gives back part of a captured payment, once per idempotency key.
func (s *Provider) Refund(ctx context.Context, r provider.RefundRequest) (provider.Refunded, error) {
	var out provider.Refunded
	err := postgres.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		// The ledger row's lock orders refunds of one payment, so a key
		// replayed concurrently finds the first call's refund.
		const lock = `SELECT 1 FROM sandbox_transactions WHERE ref = $1 FOR UPDATE`
		if _, err := tx.Exec(ctx, lock, r.Ref); err != nil {
			return fmt.Errorf("sandbox: refund: %w", err)
		}
		const existing = `SELECT id, amount FROM sandbox_refunds WHERE ref = $1 AND idempotency_key = $2`
		err := tx.QueryRow(ctx, existing, r.Ref, r.IdempotencyKey).Scan(&out.ID, &out.Amount)
		if err == nil {
			return nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("sandbox: refund: %w", err)
		}
		const take = `UPDATE sandbox_transactions SET refunded_amount = refunded_amount + $2
			WHERE ref = $1 AND status = 'captured' AND amount - refunded_amount >= $2`
		tag, err := tx.Exec(ctx, take, r.Ref, r.Amount)
		if err != nil {
			return fmt.Errorf("sandbox: refund: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("sandbox: nothing captured to refund %d from: %w", r.Amount, provider.ErrRefundRejected)
		}
		out = provider.Refunded{ID: "sbr_" + uuid.NewString(), Amount: r.Amount}
		const insert = `INSERT INTO sandbox_refunds (id, ref, idempotency_key, amount) VALUES ($1, $2, $3, $4)`
		if _, err := tx.Exec(ctx, insert, out.ID, r.Ref, r.IdempotencyKey, r.Amount); err != nil {
			return fmt.Errorf("sandbox: refund: %w", err)
		}
		return nil
	})
	return out, err
}

type transaction struct {
	ref, currency    string
	status           string
	amount, refunded int64
	capturedAt       time.Time
}

func (s *Provider) transaction(ctx context.Context, ref, paymentID string) (transaction, error) {
	const q = `SELECT ref, currency, status, amount, refunded_amount, coalesce(captured_at, 'epoch')
		FROM sandbox_transactions WHERE ref = $1 AND payment_id = $2`
	var t transaction
	err := s.pool.QueryRow(ctx, q, ref, paymentID).Scan(&t.ref, &t.currency, &t.status, &t.amount, &t.refunded, &t.capturedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return t, fmt.Errorf("sandbox: no transaction %s for payment %s: %w", ref, paymentID, provider.ErrDeclined)
	}
	if err != nil {
		return t, fmt.Errorf("sandbox: read %s: %w", ref, err)
	}
	return t, nil
}
