package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// Conn is a pool or a transaction: it runs statements and begins
// transactions (inside a transaction, a savepoint). Use cases hold one so the
// same code runs on its own or inside a caller's transaction, such as the one
// in which an event consumer records its inbox row.
type Conn interface {
	DB
	Begin(ctx context.Context) (pgx.Tx, error)
}

// Beginner begins transactions: a *pgxpool.Pool, or a pgx.Tx (a savepoint).
type Beginner interface {
	Begin(ctx context.Context) (pgx.Tx, error)
}

// InTx runs fn in a transaction of db — the unit of work of a use case —
// committing when fn returns nil and rolling back otherwise (and on panic).
// Stores bound to tx run its statements; the use case enqueues its events and
// schedules its jobs on tx too, so all of it commits or none does.
//
// When db is itself a transaction, or ctx carries a transaction of db
// (WithTx), fn runs in a savepoint and commits with
// the outer transaction. At the top level a deadlock or serialization failure
// runs fn again (Retry), so fn must not have effects outside tx beyond
// setting its results.
func InTx(ctx context.Context, db Beginner, fn func(tx pgx.Tx) error) error {
	if outer, ok := ctx.Value(txKey{}).(ambientTx); ok && Beginner(outer.pool) == db {
		return pgx.BeginFunc(ctx, outer.tx, fn) // a savepoint of the call's transaction (WithTx)
	}
	if _, nested := db.(pgx.Tx); nested {
		return pgx.BeginFunc(ctx, db, fn)
	}
	return Retry(ctx, func() error { return pgx.BeginFunc(ctx, db, fn) })
}
