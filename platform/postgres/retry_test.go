package postgres_test

import (
	"context"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/platform/testkit"
)

// Two transactions locking two rows in opposite order deadlock; PostgreSQL
// aborts one, and InTx runs it again, so both succeed.
func TestInTxRetriesDeadlocks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, err := postgres.Connect(ctx, testkit.Database(t), "retry")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if _, err := pool.Exec(ctx, `CREATE TABLE rows (id int PRIMARY KEY, n int); INSERT INTO rows VALUES (1, 0), (2, 0)`); err != nil {
		t.Fatal(err)
	}
	for round := range 5 {
		var attempts atomic.Int32
		both := sync.WaitGroup{}
		both.Add(2)
		var wg sync.WaitGroup
		errc := make(chan error, 2)
		for _, order := range [][2]int{{1, 2}, {2, 1}} {
			wg.Go(func() {
				first := true
				errc <- postgres.InTx(ctx, pool, func(tx pgx.Tx) error {
					attempts.Add(1)
					if _, err := tx.Exec(ctx, `UPDATE rows SET n = n + 1 WHERE id = $1`, order[0]); err != nil {
						return err
					}
					if first { // both hold their first lock before taking the second
						first = false
						both.Done()
						both.Wait()
					}
					_, err := tx.Exec(ctx, `UPDATE rows SET n = n + 1 WHERE id = $1`, order[1])
					return err
				})
			})
		}
		wg.Wait()
		close(errc)
		for err := range errc {
			if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
		if attempts.Load() < 3 {
			t.Fatalf("round %d: %d attempts; the deadlock did not happen", round, attempts.Load())
		}
	}
	var n int
	_ = pool.QueryRow(ctx, `SELECT sum(n) FROM rows`).Scan(&n)
	if n != 5*4 {
		t.Fatalf("sum = %d, want %d: a retried transaction applied twice or not at all", n, 5*4)
	}
}

// A database that cannot be reached, or a connection lost before COMMIT, is
// Unavailable (nothing was written: 503, retry); a plain SQL error is not.
func TestUnavailable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := l.Addr().String()
	l.Close()
	down, err := pgxpool.New(ctx, "postgres://postgres@"+closed+"/x?sslmode=disable&connect_timeout=2")
	if err != nil {
		t.Fatal(err)
	}
	defer down.Close()
	if _, err := down.Exec(ctx, "SELECT 1"); !postgres.Unavailable(err) {
		t.Fatalf("connect refused: Unavailable(%v) = false", err)
	}
	err = postgres.InTx(ctx, down, func(pgx.Tx) error { return nil })
	if !postgres.Unavailable(err) {
		t.Fatalf("begin on a down database: Unavailable(%v) = false", err)
	}

	pool, err := postgres.Connect(ctx, testkit.Database(t), "retry")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	err = postgres.InTx(ctx, pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `SELECT pg_terminate_backend(pg_backend_pid())`)
		return err
	})
	if !postgres.Unavailable(err) {
		t.Fatalf("connection lost inside the transaction: Unavailable(%v) = false", err)
	}
	_, err = pool.Exec(ctx, `SELECT no_such_column FROM pg_class`)
	if err == nil || postgres.Unavailable(err) {
		t.Fatalf("SQL error: Unavailable(%v) = true", err)
	}
	if postgres.Unavailable(errors.New("x")) {
		t.Fatal("plain error is Unavailable")
	}
}
