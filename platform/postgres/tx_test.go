package postgres_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/platform/testkit"
)

func TestInTx(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, err := postgres.Connect(ctx, testkit.Database(t), "tx")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if _, err := pool.Exec(ctx, `CREATE TABLE notes (n int PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	insert := func(n int) func(pgx.Tx) error {
		return func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO notes VALUES ($1)`, n)
			return err
		}
	}
	count := func() (n int) {
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM notes`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	boom := errors.New("boom")
	err = postgres.InTx(ctx, pool, func(tx pgx.Tx) error {
		if err := insert(1)(tx); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) || count() != 0 {
		t.Fatalf("failed unit of work: err %v, %d rows; want boom, 0", err, count())
	}

	// Inside a caller's transaction a use case's unit of work is a
	// savepoint: its failure undoes only its own writes, and its success
	// commits with the caller.
	err = postgres.InTx(ctx, pool, func(outer pgx.Tx) error {
		if err := insert(2)(outer); err != nil {
			return err
		}
		if err := postgres.InTx(ctx, outer, func(tx pgx.Tx) error { _ = insert(3)(tx); return boom }); !errors.Is(err, boom) {
			t.Errorf("nested failure = %v", err)
		}
		return postgres.InTx(ctx, outer, insert(4))
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	rows, _ := pool.Query(ctx, `SELECT n FROM notes ORDER BY n`)
	got, err = pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil || len(got) != 2 || got[0] != 2 || got[1] != 4 {
		t.Fatalf("rows %v (%v), want [2 4]", got, err)
	}
}

func TestInTxRetriesSerializationFailures(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, err := postgres.Connect(ctx, testkit.Database(t), "tx")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if _, err := pool.Exec(ctx, `CREATE TABLE counter (id int PRIMARY KEY, n int NOT NULL); INSERT INTO counter VALUES (1, 0)`); err != nil {
		t.Fatal(err)
	}
	// Read-then-write under SERIALIZABLE: concurrent increments conflict,
	// and InTx runs the loser again.
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			err := postgres.InTx(ctx, pool, func(tx pgx.Tx) error {
				if _, err := tx.Exec(ctx, `SET TRANSACTION ISOLATION LEVEL SERIALIZABLE`); err != nil {
					return err
				}
				var n int
				if err := tx.QueryRow(ctx, `SELECT n FROM counter WHERE id = 1`).Scan(&n); err != nil {
					return err
				}
				_, err := tx.Exec(ctx, `UPDATE counter SET n = $1 WHERE id = 1`, n+1)
				return err
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	var n int
	if err := pool.QueryRow(ctx, `SELECT n FROM counter WHERE id = 1`).Scan(&n); err != nil || n != 3 {
		t.Fatalf("counter = %d (%v), want 3", n, err)
	}
}
