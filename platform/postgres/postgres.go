// Package postgres opens a service's connection pool, applies its embedded
// migrations and runs transactions. Each service owns one schema; its pool's
// search_path points there, so its SQL names tables without a schema prefix.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Connect opens a pool to url whose sessions use schema (created if missing).
func Connect(ctx context.Context, url, schema string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: parse url: %w", err)
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	cfg.ConnConfig.RuntimeParams["timezone"] = "UTC"
	if cfg.ConnConfig.ConnectTimeout == 0 {
		// While the database is unreachable, calls fail fast with 503
		// instead of hanging on a connect.
		cfg.ConnConfig.ConnectTimeout = 5 * time.Second
	}
	cfg.AfterConnect = func(_ context.Context, c *pgx.Conn) error {
		registerUUID(c.TypeMap())
		return nil
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	if _, err := pool.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{schema}.Sanitize()); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: create schema %s: %w", schema, err)
	}
	return pool, nil
}

// DB is what both a pool and a transaction offer; stores take it so one method
// serves inside and outside a transaction.
type DB interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// An RPC that takes an idempotency key runs inside one transaction that also
// records its response (platform/idempotency): WithTx puts that transaction in
// ctx, and InTx on the same pool joins it as a savepoint.

type txKey struct{}

type ambientTx struct {
	pool *pgxpool.Pool
	tx   pgx.Tx
}

// WithTx returns ctx in which InTx on pool joins tx rather than beginning its
// own transaction. The caller commits or rolls back tx. A transaction serves
// one goroutine at a time: work under ctx must not run transactions
// concurrently.
func WithTx(ctx context.Context, pool *pgxpool.Pool, tx pgx.Tx) context.Context {
	return context.WithValue(ctx, txKey{}, ambientTx{pool: pool, tx: tx})
}

// Querier returns what a query under ctx should run on: the transaction ctx
// carries for pool (WithTx), so a read sees the call's own uncommitted writes
// and needs no second connection, or else pool itself.
func Querier(ctx context.Context, pool *pgxpool.Pool) DB {
	if outer, ok := ctx.Value(txKey{}).(ambientTx); ok && outer.pool == pool {
		return outer.tx
	}
	return pool
}

// Unique-violation and friends, for stores that translate driver errors into
// domain sentinels.
const (
	codeUniqueViolation     = "23505"
	codeForeignKeyViolation = "23503"
	codeCheckViolation      = "23514"
)

// IsUniqueViolation reports whether err is a unique-constraint violation, and
// of which constraint.
func IsUniqueViolation(err error) (constraint string, ok bool) {
	return pgCode(err, codeUniqueViolation)
}

// IsForeignKeyViolation reports whether err is a foreign-key violation.
func IsForeignKeyViolation(err error) (constraint string, ok bool) {
	return pgCode(err, codeForeignKeyViolation)
}

// IsCheckViolation reports whether err is a check-constraint violation.
func IsCheckViolation(err error) (constraint string, ok bool) {
	return pgCode(err, codeCheckViolation)
}

func pgCode(err error, code string) (string, bool) {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == code {
		return pgErr.ConstraintName, true
	}
	return "", false
}

// Sibling opens another pool with pool's settings (its schema, its
// connection parameters) and at most maxConns connections, none opened until
// used: for work that must not wait behind the first pool's (keyed calls,
// the market's matcher). Close it apart.
func Sibling(pool *pgxpool.Pool, maxConns int32) (*pgxpool.Pool, error) {
	cfg := pool.Config().Copy()
	cfg.MaxConns, cfg.MinConns = maxConns, 0
	p, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: pool: %w", err)
	}
	return p, nil
}
