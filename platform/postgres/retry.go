package postgres

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// Transactions that lose a race the database detects — a deadlock (40P01) or
// a serialization failure (40001) — were rolled back whole, so running them
// again is safe and usually succeeds. InTx does that here, once for every
// service, instead of each use case ordering its locks by hand or answering
// 500.
const (
	codeSerializationFailure = "40001"
	codeDeadlockDetected     = "40P01"
	txAttempts               = 5
)

// Retry runs tx — one whole transaction, begun and committed inside —
// again while it fails with a deadlock or serialization failure, up to five
// attempts with a short jittered pause. InTx uses it; so can code that owns
// its transaction another way.
func Retry(ctx context.Context, tx func() error) error {
	var err error
	for attempt := range txAttempts {
		if err = tx(); !Retryable(err) || attempt == txAttempts-1 {
			return err
		}
		pause := time.Duration(attempt+1) * 10 * time.Millisecond
		select {
		case <-time.After(pause + rand.N(pause)):
		case <-ctx.Done():
			return err
		}
	}
	return err
}

// Retryable reports whether err rolled a transaction back because it lost a
// race (deadlock or serialization failure), so running it again is safe.
func Retryable(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == codeSerializationFailure || pgErr.Code == codeDeadlockDetected)
}

// Unavailable reports whether err means the database could not be reached
// and the statement was certainly not run: a failed connect, or a failure
// before anything was sent. Such a call can be answered 503 and retried. A
// connection lost later — during a COMMIT, say — may have applied the write,
// so it is not reported here: answering "retry" could double a write that
// was made.
func Unavailable(err error) bool {
	var connectErr *pgconn.ConnectError
	if errors.As(err, &connectErr) {
		return true
	}
	if pgconn.SafeToRetry(err) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// 57P03: the server is starting up or shutting down; 53300: too many
		// connections. Neither ran the statement.
		return pgErr.Code == "57P03" || pgErr.Code == "53300"
	}
	var opErr *net.OpError
	return errors.As(err, &opErr) && opErr.Op == "dial"
}
