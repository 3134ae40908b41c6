package postgres

import (
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/platform/testkit"
)

func TestInTxJoinsTheTransactionInContext(t *testing.T) {
	t.Parallel()
	url := testkit.Database(t)
	pool := connect(t, url, "svc")
	if _, err := pool.Exec(t.Context(), `CREATE TABLE t (v text)`); err != nil {
		t.Fatal(err)
	}
	count := func() int {
		var n int
		if err := pool.QueryRow(t.Context(), `SELECT count(*) FROM t`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	insert := func(v string) func(tx pgx.Tx) error {
		return func(tx pgx.Tx) error {
			_, err := tx.Exec(t.Context(), `INSERT INTO t VALUES ($1)`, v)
			return err
		}
	}

	outer, err := pool.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	ctx := WithTx(t.Context(), pool, outer)
	if err := InTx(ctx, pool, insert("kept")); err != nil {
		t.Fatal(err)
	}
	// A failing use case rolls back to its savepoint, not the whole call.
	boom := errors.New("boom")
	if err := InTx(ctx, pool, func(tx pgx.Tx) error { _ = insert("undone")(tx); return boom }); !errors.Is(err, boom) {
		t.Fatalf("InTx = %v", err)
	}
	var seen int
	if err := Querier(ctx, pool).QueryRow(ctx, `SELECT count(*) FROM t`).Scan(&seen); err != nil || seen != 1 {
		t.Fatalf("Querier sees %d rows (%v), want the call's own 1", seen, err)
	}
	if count() != 0 {
		t.Fatal("joined work visible before the outer transaction commits")
	}
	// Another pool (another service's schema) is not joined.
	other := connect(t, url, "svc")
	if err := InTx(ctx, other, insert("own")); err != nil {
		t.Fatal(err)
	}
	if Querier(ctx, other) != DB(other) {
		t.Fatal("Querier returned the transaction of another pool")
	}
	if err := outer.Commit(t.Context()); err != nil {
		t.Fatal(err)
	}
	if count() != 2 {
		t.Fatalf("%d rows after commit, want kept and own", count())
	}
}
