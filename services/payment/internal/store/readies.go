package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/jangteo/jangteo/services/payment/internal/provider"
)

// KakaoPayReadies remembers KakaoPay's ready answers (kakaopay.Readies).
type KakaoPayReadies struct{ Pool *pgxpool.Pool }

// Ready returns the remembered answer for paymentID.
func (r KakaoPayReadies) Ready(ctx context.Context, paymentID string) (provider.Prepared, bool, error) {
	const q = `SELECT tid, pc_url, mobile_url, app_url FROM kakaopay_ready WHERE payment_id = $1`
	var p provider.Prepared
	err := r.Pool.QueryRow(ctx, q, paymentID).Scan(&p.Ref, &p.RedirectURL, &p.MobileURL, &p.AppURL)
	if errors.Is(err, pgx.ErrNoRows) {
		return p, false, nil
	}
	if err != nil {
		return p, false, fmt.Errorf("db: kakaopay ready %s: %w", paymentID, err)
	}
	return p, true, nil
}

// SaveReady keeps the first answer for paymentID and returns it.
func (r KakaoPayReadies) SaveReady(ctx context.Context, paymentID string, p provider.Prepared) (provider.Prepared, error) {
	const q = `INSERT INTO kakaopay_ready (payment_id, tid, pc_url, mobile_url, app_url) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (payment_id) DO UPDATE SET payment_id = EXCLUDED.payment_id
		RETURNING tid, pc_url, mobile_url, app_url`
	var got provider.Prepared
	err := r.Pool.QueryRow(ctx, q, paymentID, p.Ref, p.RedirectURL, p.MobileURL, p.AppURL).Scan(&got.Ref, &got.RedirectURL, &got.MobileURL, &got.AppURL)
	if err != nil {
		return got, fmt.Errorf("db: kakaopay ready %s: %w", paymentID, err)
	}
	return got, nil
}
