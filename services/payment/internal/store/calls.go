package store

import (
	"context"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/zap"

	"github.com/jangteo/jangteo/services/payment/internal/provider"
)

// Calls keeps the provider audit log. It writes outside any use case's
// transaction: a call happened whether or not what followed committed.
type Calls struct {
	pool *pgxpool.Pool
	log  *zap.Logger
}

// NewCalls returns the audit log over pool.
func NewCalls(pool *pgxpool.Pool, log *zap.Logger) *Calls { return &Calls{pool: pool, log: log} }

// Record implements provider.Recorder. A call that cannot be written is
// logged (without its body) rather than failing the payment.
func (c *Calls) Record(ctx context.Context, call provider.Call) {
	var paymentID *string
	if call.PaymentID != "" {
		paymentID = &call.PaymentID
	}
	errText := ""
	if call.Err != nil {
		errText = call.Err.Error()
	}
	const q = `INSERT INTO provider_calls (payment_id, provider, operation, request, response, error, started_at, duration_ms)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`
	_, err := c.pool.Exec(context.WithoutCancel(ctx), q, paymentID, call.Provider, call.Operation,
		string(call.Request), string(call.Response), errText, call.Started, call.Duration.Milliseconds())
	if err != nil {
		c.log.Error("provider call not recorded", zap.String("payment_id", call.PaymentID),
			zap.String("provider", call.Provider), zap.String("operation", call.Operation), zap.Error(err))
	}
}

// Call is one recorded provider call as read back (tests, support).
type Call struct {
	Operation, Request, Response, Error string
}

// CallsOf reads a payment's recorded provider calls, oldest first.
func (c *Calls) CallsOf(ctx context.Context, paymentID string) ([]Call, error) {
	rows, err := c.pool.Query(ctx, `SELECT operation, request, response, error FROM provider_calls WHERE payment_id = $1 ORDER BY id`, paymentID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Call
	for rows.Next() {
		var k Call
		if err := rows.Scan(&k.Operation, &k.Request, &k.Response, &k.Error); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}
