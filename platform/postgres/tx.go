package postgres

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Beginner is a pool or a transaction: it runs statements and begins
// transactions (inside a transaction, a savepoint). Use cases hold one so the
// same code runs on its own or inside a caller's transaction, such as the one
// in which an event consumer records its inbox row.
type Beginner interface {
	DB
	Begin(ctx context.Context) (pgx.Tx, error)
}

// InTx runs fn in a transaction of db — the unit of work of a use case —
// committing when fn returns nil and rolling back otherwise (and on panic).
// Stores bound to tx run its statements; the use case enqueues its events and
// schedules its jobs on tx too, so all of it commits or none does.
//
// When db is itself a transaction, fn runs in a savepoint and commits with
// the outer transaction. At the top level a deadlock or serialization failure
// runs fn again (up to 5 attempts in all), so fn must not have effects
// outside tx beyond setting its results.
func InTx(ctx context.Context, db Beginner, fn func(tx pgx.Tx) error) error {
	if _, nested := db.(pgx.Tx); nested {
		return pgx.BeginFunc(ctx, db, fn)
	}
	const attempts = 5
	for i := 1; ; i++ {
		err := pgx.BeginFunc(ctx, db, fn)
		if i == attempts || !retryable(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(i*10+rand.IntN(10)) * time.Millisecond): // jittered, so the losers do not meet again
		}
	}
}

// retryable reports whether err is a conflict a new attempt can succeed at.
func retryable(err error) bool {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return false
	}
	return pgErr.Code == "40001" || pgErr.Code == "40P01" // serialization_failure, deadlock_detected
}
