package postgres

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
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

// inTx is pgx.BeginFunc that also tells a lost connection before COMMIT —
// after which PostgreSQL has rolled the transaction back, so nothing was
// written and the call can be answered 503 — from one lost during COMMIT,
// whose outcome nobody knows.
func inTx(ctx context.Context, db Beginner, fn func(tx pgx.Tx) error) error {
	tx, err := db.Begin(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if err := fn(tx); err != nil {
		if tx.Conn().IsClosed() {
			return rolledBack{err}
		}
		return err
	}
	return tx.Commit(ctx)
}

// rolledBack wraps the error of a transaction whose connection was lost
// before it committed.
type rolledBack struct{ err error }

func (e rolledBack) Error() string { return "connection lost before commit: " + e.err.Error() }
func (e rolledBack) Unwrap() error { return e.err }

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
	var lost rolledBack
	if errors.As(err, &connectErr) || errors.As(err, &lost) {
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

// ConnectionLost reports whether err is the connection to PostgreSQL breaking
// (the server went away mid-statement). Nothing can be said about a write
// this happened to, but a read can be answered 503 and retried.
func ConnectionLost(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, pgconn.ErrConnClosed) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// Class 08: connection exception; 57P01/57P02: the server is shutting
		// down or crashed and ended the session.
		return strings.HasPrefix(pgErr.Code, "08") || pgErr.Code == "57P01" || pgErr.Code == "57P02"
	}
	var netErr net.Error
	return errors.As(err, &netErr)
}
