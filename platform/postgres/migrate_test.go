package postgres

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/jangteo/jangteo/platform/testkit"
)

func connect(t *testing.T, url, schema string) *pgxpool.Pool {
	t.Helper()
	pool, err := Connect(t.Context(), url, schema)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

func set(name string, files map[string]string) MigrationSet {
	fsys := fstest.MapFS{}
	for f, sql := range files {
		fsys["m/"+f] = &fstest.MapFile{Data: []byte(sql)}
	}
	return MigrationSet{Name: name, FS: fsys, Dir: "m"}
}

func recorded(t *testing.T, pool *pgxpool.Pool) []string {
	t.Helper()
	rows, err := pool.Query(t.Context(), `SELECT set_name || '/' || version FROM schema_migrations ORDER BY set_name, version`)
	if err != nil {
		t.Fatal(err)
	}
	got, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestMigrateAppliesAGapVersion(t *testing.T) {
	t.Parallel()
	pool := connect(t, testkit.Database(t), "svc")
	files := map[string]string{
		"0001_a.up.sql": `CREATE TABLE a (id int)`,
		"0003_c.up.sql": `CREATE TABLE c (id int)`,
	}
	if err := Migrate(t.Context(), pool, set("svc", files)); err != nil {
		t.Fatal(err)
	}
	// Another branch's 0002 is merged after 0003 was applied.
	files["0002_b.up.sql"] = `CREATE TABLE b (id int)`
	if err := Migrate(t.Context(), pool, set("svc", files)); err != nil {
		t.Fatal(err)
	}
	if got := recorded(t, pool); !slices.Equal(got, []string{"svc/1", "svc/2", "svc/3"}) {
		t.Fatalf("recorded %v", got)
	}
	if _, err := pool.Exec(t.Context(), `INSERT INTO b VALUES (1)`); err != nil {
		t.Fatalf("0002 not applied: %v", err)
	}
}

func TestMigrateTwiceIsANoOp(t *testing.T) {
	t.Parallel()
	pool := connect(t, testkit.Database(t), "svc")
	// Neither file could run twice: a second application would fail.
	s := set("svc", map[string]string{
		"0001_a.up.sql": `CREATE TABLE a (id int)`,
		"0002_b.up.sql": "-- jangteo:no-transaction\nCREATE TABLE b (id int);",
	})
	for range 3 {
		if err := Migrate(t.Context(), pool, s); err != nil {
			t.Fatal(err)
		}
	}
	if got := recorded(t, pool); !slices.Equal(got, []string{"svc/1", "svc/2"}) {
		t.Fatalf("recorded %v", got)
	}
}

func TestMigrateOutsideATransaction(t *testing.T) {
	t.Parallel()
	pool := connect(t, testkit.Database(t), "svc")
	index := `CREATE TABLE t (id int, name text);
		-- a semicolon in a comment; and a string: ';'
		CREATE INDEX CONCURRENTLY t_name ON t (name);
		CREATE FUNCTION t_touch() RETURNS trigger LANGUAGE plpgsql AS $body$
		BEGIN NEW.name := coalesce(NEW.name, ';'); RETURN NEW; END
		$body$;`
	err := Migrate(t.Context(), pool, set("svc", map[string]string{"0001_t.up.sql": index}))
	if err == nil || !strings.Contains(err.Error(), "CONCURRENTLY") {
		t.Fatalf("without the marker: %v; want CREATE INDEX CONCURRENTLY refused in a transaction", err)
	}
	if got := recorded(t, pool); len(got) != 0 {
		t.Fatalf("recorded %v after a failed migration", got)
	}

	err = Migrate(t.Context(), pool, set("svc", map[string]string{"0001_t.up.sql": NoTransaction + "\n" + index}))
	if err != nil {
		t.Fatal(err)
	}
	var valid bool
	if err := pool.QueryRow(t.Context(), `SELECT indisvalid FROM pg_index WHERE indexrelid = 't_name'::regclass`).Scan(&valid); err != nil || !valid {
		t.Fatalf("index t_name valid = %v, %v", valid, err)
	}
	if got := recorded(t, pool); !slices.Equal(got, []string{"svc/1"}) {
		t.Fatalf("recorded %v", got)
	}
}

func TestConcurrentMigratorsSerialise(t *testing.T) {
	t.Parallel()
	url := testkit.Database(t)
	s := set("svc", map[string]string{
		"0001_a.up.sql": `CREATE TABLE a (id int); SELECT pg_sleep(0.2)`,
		// A concurrent index build waits for every older snapshot: migrators
		// waiting for the lock must not hold one.
		"0002_index.up.sql": NoTransaction + "\nCREATE INDEX CONCURRENTLY a_id ON a (id);",
		"0003_b.up.sql":     `CREATE TABLE b (id int)`,
	})
	const n = 5
	errc := make(chan error, n)
	var wg sync.WaitGroup
	for range n {
		pool := connect(t, url, "svc")
		wg.Go(func() { errc <- Migrate(t.Context(), pool, s) })
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		if err != nil {
			t.Fatal(err)
		}
	}
	pool := connect(t, url, "svc")
	if got := recorded(t, pool); !slices.Equal(got, []string{"svc/1", "svc/2", "svc/3"}) {
		t.Fatalf("recorded %v", got)
	}
}

func TestMigrationSetsAreIndependent(t *testing.T) {
	t.Parallel()
	url := testkit.Database(t)
	pool := connect(t, url, "svc")
	err := Migrate(t.Context(), pool,
		set("events", map[string]string{"0001_outbox.up.sql": `CREATE TABLE outbox (id int)`}),
		set("svc", map[string]string{"0001_init.up.sql": `CREATE TABLE orders (id int)`}),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := recorded(t, pool); !slices.Equal(got, []string{"events/1", "svc/1"}) {
		t.Fatalf("recorded %v", got)
	}
	// Each schema keeps its own versions.
	other := connect(t, url, "other")
	if err := Migrate(t.Context(), other, set("other", map[string]string{"0001_init.up.sql": `CREATE TABLE orders (id int)`})); err != nil {
		t.Fatal(err)
	}
	if got := recorded(t, other); !slices.Equal(got, []string{"other/1"}) {
		t.Fatalf("other schema recorded %v", got)
	}
}

func TestMigrateUpgradesTheFirstVersionTable(t *testing.T) {
	t.Parallel()
	pool := connect(t, testkit.Database(t), "catalog")
	// A database migrated before sets existed.
	_, err := pool.Exec(t.Context(), `
		CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());
		CREATE TABLE products (id int);
		INSERT INTO schema_migrations (version, name) VALUES (1, '0001_init.up.sql')`)
	if err != nil {
		t.Fatal(err)
	}
	err = Migrate(t.Context(), pool,
		set("events", map[string]string{"0001_outbox.up.sql": `CREATE TABLE outbox (id int)`}),
		set("catalog", map[string]string{
			"0001_init.up.sql":    `CREATE TABLE products (id int)`,
			"0002_reviews.up.sql": `CREATE TABLE reviews (id int)`,
		}),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := recorded(t, pool); !slices.Equal(got, []string{"catalog/1", "catalog/2", "events/1"}) {
		t.Fatalf("recorded %v", got)
	}
}

func TestMigrateRejectsBadFileNames(t *testing.T) {
	t.Parallel()
	for _, files := range []map[string]string{
		{"init.up.sql": ""},
		{"0001_a.up.sql": "", "0001_b.up.sql": ""},
	} {
		if _, err := readMigrations(set("svc", files)); err == nil {
			t.Errorf("%v: no error", files)
		}
	}
}

func TestSplitStatements(t *testing.T) {
	t.Parallel()
	tests := []struct {
		sql  string
		want []string
	}{
		{"SELECT 1; SELECT 2;", []string{"SELECT 1", "SELECT 2"}},
		{"SELECT ';' ; SELECT 'it''s;'", []string{"SELECT ';'", "SELECT 'it''s;'"}},
		{`CREATE TABLE "a;b" (x int)`, []string{`CREATE TABLE "a;b" (x int)`}},
		{"-- only; a comment\nSELECT 1; -- trailing;\n", []string{"-- only; a comment\nSELECT 1"}},
		{"/* a; b */ SELECT 1", []string{"/* a; b */ SELECT 1"}},
		{"DO $$ BEGIN PERFORM 1; END $$; SELECT $1", []string{"DO $$ BEGIN PERFORM 1; END $$", "SELECT $1"}},
		{"DO $f$ BEGIN PERFORM '$$;'; END $f$;", []string{"DO $f$ BEGIN PERFORM '$$;'; END $f$"}},
	}
	for _, tt := range tests {
		if got := splitStatements(tt.sql); !slices.Equal(got, tt.want) {
			t.Errorf("splitStatements(%q) = %q, want %q", tt.sql, got, tt.want)
		}
	}
}

func TestMigrateWaitsForTheLockUntilCancelled(t *testing.T) {
	t.Parallel()
	url := testkit.Database(t)
	holder := connect(t, url, "svc")
	conn, err := holder.Acquire(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(t.Context(), "SELECT pg_advisory_lock(hashtext('migrate:svc'))"); err != nil {
		t.Fatal(err)
	}
	defer conn.Exec(context.Background(), "SELECT pg_advisory_unlock(hashtext('migrate:svc'))") //nolint:errcheck
	ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
	defer cancel()
	err = Migrate(ctx, connect(t, url, "svc"), set("svc", map[string]string{"0001_a.up.sql": `CREATE TABLE a (id int)`}))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Migrate while locked = %v, want the deadline", err)
	}
}
