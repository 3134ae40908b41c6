package postgres_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/platform/testkit"
)

func TestPipeline(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, err := postgres.Connect(ctx, testkit.Database(t), "pipeline")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if _, err := pool.Exec(ctx, `CREATE TABLE notes (n int PRIMARY KEY, s text NOT NULL DEFAULT 'new')`); err != nil {
		t.Fatal(err)
	}
	count := func() (n int) {
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM notes`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	// Queued writes run in order, in the transaction, when sent.
	err = postgres.InTx(ctx, pool, func(tx pgx.Tx) error {
		var p postgres.Pipeline
		for n := range 100 {
			if _, err := p.Exec(ctx, `INSERT INTO notes (n) VALUES ($1)`, n); err != nil {
				return err
			}
		}
		p.Expect(50, errors.New("not every note was updated"), `UPDATE notes SET s = 'old' WHERE n < 50`)
		if p.Len() != 101 || count() != 0 {
			t.Fatalf("%d queued, %d written before Send", p.Len(), count())
		}
		if err := p.Send(ctx, tx); err != nil {
			return err
		}
		if p.Len() != 0 {
			t.Fatal("Send left statements queued")
		}
		return nil
	})
	if err != nil || count() != 100 {
		t.Fatalf("%v, %d notes", err, count())
	}

	// An unexpected row count or a failing statement fails Send, and the
	// transaction rolls back whole.
	mismatch := errors.New("the note changed meanwhile")
	err = postgres.InTx(ctx, pool, func(tx pgx.Tx) error {
		var p postgres.Pipeline
		_, _ = p.Exec(ctx, `INSERT INTO notes (n) VALUES (1000)`)
		p.Expect(1, mismatch, `UPDATE notes SET s = 'x' WHERE n = -1`)
		return p.Send(ctx, tx)
	})
	if !errors.Is(err, mismatch) || count() != 100 {
		t.Fatalf("mismatch: %v, %d notes", err, count())
	}
	err = postgres.InTx(ctx, pool, func(tx pgx.Tx) error {
		var p postgres.Pipeline
		_, _ = p.Exec(ctx, `INSERT INTO notes (n) VALUES (1001)`)
		_, _ = p.Exec(ctx, `INSERT INTO notes (n) VALUES (1)`) // taken
		return p.Send(ctx, tx)
	})
	if _, ok := postgres.IsUniqueViolation(err); !ok || count() != 100 {
		t.Fatalf("duplicate: %v, %d notes", err, count())
	}

	// Reading through a pipeline is an error, not a silent empty answer.
	var p postgres.Pipeline
	var n int
	if err := p.QueryRow(ctx, `SELECT 1`).Scan(&n); err == nil {
		t.Fatal("QueryRow through a pipeline scanned")
	}
	if _, err := p.Query(ctx, `SELECT 1`); err == nil {
		t.Fatal("Query through a pipeline answered")
	}
}
