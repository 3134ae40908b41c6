package postgres

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// MigrationSet is one component's numbered migrations ("0001_init.up.sql",
// "0002_reviews.up.sql", …) in dir of fsys. A schema holds several sets — the
// service's own, named after the schema, and the platform's tables (events'
// outbox and inbox, idempotency keys) — each with its own version sequence.
type MigrationSet struct {
	Name string
	FS   fs.FS
	Dir  string
}

// NoTransaction, as the first line of a migration file, runs its statements
// one by one outside a transaction, as CREATE INDEX CONCURRENTLY requires.
// Such a migration is recorded after its last statement, so a crash halfway
// runs it again: write it to be re-runnable (IF NOT EXISTS, and for a
// concurrent index, DROP INDEX CONCURRENTLY IF EXISTS of an invalid one first).
const NoTransaction = "-- jangteo:no-transaction"

// VersionTable records, per set, every version applied to a schema.
const VersionTable = "schema_migrations"

// lockPoll is how often a migrator waiting for another one retries the lock.
var lockPoll = 200 * time.Millisecond

// Migrate applies every migration of sets that the pool's schema has not
// recorded yet — including a version below the highest applied, as when two
// branches each added one — in set order, then version order. Each runs in its
// own transaction with its version row, unless it opts out with NoTransaction.
// Migrations are up-only: a mistake is corrected by a new version.
//
// An advisory lock keyed by the schema serialises concurrent starts of the
// same service (several replicas, or a Job and a pod). It is taken by polling
// pg_try_advisory_lock rather than by waiting in pg_advisory_lock, because a
// session blocked in that statement keeps a snapshot open, which CREATE INDEX
// CONCURRENTLY in the lock holder would wait for: a deadlock.
func Migrate(ctx context.Context, pool *pgxpool.Pool, sets ...MigrationSet) error {
	var all []migration
	for _, set := range sets {
		ms, err := readMigrations(set)
		if err != nil {
			return err
		}
		all = append(all, ms...)
	}
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.Release()
	var schema string
	if err := conn.QueryRow(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	unlock, err := lock(ctx, conn.Conn(), "migrate:"+schema)
	if err != nil {
		return fmt.Errorf("migrate %s: lock: %w", schema, err)
	}
	defer unlock()

	if err := ensureVersionTable(ctx, conn.Conn(), schema); err != nil {
		return fmt.Errorf("migrate %s: %w", schema, err)
	}
	applied, err := appliedVersions(ctx, conn.Conn())
	if err != nil {
		return fmt.Errorf("migrate %s: %w", schema, err)
	}
	for _, m := range all {
		if applied[m.key()] {
			continue
		}
		if err := m.apply(ctx, conn.Conn()); err != nil {
			return fmt.Errorf("migrate %s: %s/%s: %w", schema, m.set, m.file, err)
		}
	}
	return nil
}

// Pending returns the migrations of sets that the pool's schema has not
// recorded yet, as "set/file" in the order Migrate would apply them; none
// when the schema is up to date. Versions the schema has and sets do not (a
// newer build migrated it) are no concern of this build. It changes nothing
// and takes no lock, so a service that must not migrate can check its schema.
func Pending(ctx context.Context, pool *pgxpool.Pool, sets ...MigrationSet) ([]string, error) {
	var all []migration
	for _, set := range sets {
		ms, err := readMigrations(set)
		if err != nil {
			return nil, err
		}
		all = append(all, ms...)
	}
	const current = `SELECT count(*) FILTER (WHERE column_name = 'set_name'), count(*)
		FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'schema_migrations'`
	var withSet, columns int
	if err := pool.QueryRow(ctx, current).Scan(&withSet, &columns); err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	applied := map[string]bool{}
	if withSet > 0 {
		conn, err := pool.Acquire(ctx)
		if err != nil {
			return nil, fmt.Errorf("migrations: %w", err)
		}
		defer conn.Release()
		if applied, err = appliedVersions(ctx, conn.Conn()); err != nil {
			return nil, fmt.Errorf("migrations: %w", err)
		}
	} else if columns > 0 {
		// The first migrator's table: Migrate upgrades it, so it is pending too.
		return nil, errors.New("migrations: the schema's version table predates migration sets; run migrate")
	}
	var pending []string
	for _, m := range all {
		if !applied[m.key()] {
			pending = append(pending, m.set+"/"+m.file)
		}
	}
	return pending, nil
}

// lock takes the session-level advisory lock named key, polling until it is
// free or ctx ends, and returns its release.
func lock(ctx context.Context, conn *pgx.Conn, key string) (func(), error) {
	for {
		var ok bool
		if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock(hashtext($1))", key).Scan(&ok); err != nil {
			return nil, err
		}
		if ok {
			return func() {
				// Released with the session anyway if this fails.
				_, _ = conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(hashtext($1))", key)
			}, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(lockPoll):
		}
	}
}

// ensureVersionTable creates the version table, or upgrades the one the first
// migrator kept (version and name only, the service's own files) by recording
// its rows under the set named after the schema, so existing databases keep
// every version they applied.
func ensureVersionTable(ctx context.Context, conn *pgx.Conn, schema string) error {
	const create = `CREATE TABLE IF NOT EXISTS schema_migrations (
		set_name   text NOT NULL,
		version    integer NOT NULL,
		name       text NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now(),
		PRIMARY KEY (set_name, version))`
	if _, err := conn.Exec(ctx, create); err != nil {
		return err
	}
	const hasSet = `SELECT EXISTS (SELECT 1 FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = 'schema_migrations' AND column_name = 'set_name')`
	var ok bool
	if err := conn.QueryRow(ctx, hasSet).Scan(&ok); err != nil || ok {
		return err
	}
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		const upgrade = `ALTER TABLE schema_migrations ADD COLUMN set_name text;
			UPDATE schema_migrations SET set_name = %s;
			ALTER TABLE schema_migrations ALTER COLUMN set_name SET NOT NULL,
				DROP CONSTRAINT schema_migrations_pkey,
				ADD PRIMARY KEY (set_name, version)`
		_, err := tx.Exec(ctx, fmt.Sprintf(upgrade, quoteLiteral(schema)))
		return err
	})
}

func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func appliedVersions(ctx context.Context, conn *pgx.Conn) (map[string]bool, error) {
	rows, err := conn.Query(ctx, "SELECT set_name, version FROM schema_migrations")
	if err != nil {
		return nil, err
	}
	applied := map[string]bool{}
	var set string
	var version int
	_, err = pgx.ForEachRow(rows, []any{&set, &version}, func() error {
		applied[migrationKey(set, version)] = true
		return nil
	})
	return applied, err
}

type migration struct {
	set     string
	version int
	file    string
	sql     string
	noTx    bool
}

func migrationKey(set string, version int) string { return set + "/" + strconv.Itoa(version) }

func (m migration) key() string { return migrationKey(m.set, m.version) }

const record = "INSERT INTO schema_migrations (set_name, version, name) VALUES ($1, $2, $3)"

func (m migration) apply(ctx context.Context, conn *pgx.Conn) error {
	if !m.noTx {
		return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, record, m.set, m.version, m.file)
			return err
		})
	}
	// One statement at a time: a multi-statement query string is an implicit
	// transaction, which CREATE INDEX CONCURRENTLY refuses.
	for _, stmt := range splitStatements(m.sql) {
		if _, err := conn.Exec(ctx, stmt); err != nil {
			return err
		}
	}
	_, err := conn.Exec(ctx, record, m.set, m.version, m.file)
	return err
}

func readMigrations(set MigrationSet) ([]migration, error) {
	if set.Name == "" {
		return nil, errors.New("migrate: a migration set needs a name")
	}
	entries, err := fs.ReadDir(set.FS, set.Dir)
	if err != nil {
		return nil, fmt.Errorf("migrate %s: read %s: %w", set.Name, set.Dir, err)
	}
	var out []migration
	seen := map[int]string{}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".up.sql") {
			continue
		}
		num, _, _ := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("migrate %s: %s: name must start with a positive number", set.Name, name)
		}
		if other, dup := seen[v]; dup {
			return nil, fmt.Errorf("migrate %s: %s and %s share version %d", set.Name, other, name, v)
		}
		seen[v] = name
		sql, err := fs.ReadFile(set.FS, path.Join(set.Dir, name))
		if err != nil {
			return nil, err
		}
		first, _, _ := strings.Cut(string(sql), "\n")
		out = append(out, migration{
			set: set.Name, version: v, file: name, sql: string(sql),
			noTx: strings.TrimSpace(first) == NoTransaction,
		})
	}
	slices.SortFunc(out, func(a, b migration) int { return a.version - b.version })
	return out, nil
}

// splitStatements cuts sql at the semicolons that end statements, skipping
// those inside quotes, dollar-quoted bodies and comments. Empty statements
// (comments only) are dropped.
func splitStatements(sql string) []string {
	var out []string
	start := 0
	emit := func(end int) {
		if s := strings.TrimSpace(sql[start:end]); s != "" && !onlyComments(s) {
			out = append(out, s)
		}
	}
	for i := 0; i < len(sql); i++ {
		switch c := sql[i]; {
		case c == '-' && strings.HasPrefix(sql[i:], "--"):
			i = skipTo(sql, i, "\n")
		case c == '/' && strings.HasPrefix(sql[i:], "/*"):
			i = skipTo(sql, i+2, "*/")
		case c == '\'' || c == '"':
			i = skipTo(sql, i+1, string(c))
		case c == '$':
			if tag, ok := dollarTag(sql[i:]); ok {
				i = skipTo(sql, i+len(tag), tag)
			}
		case c == ';':
			emit(i)
			start = i + 1
		}
	}
	emit(len(sql))
	return out
}

// skipTo returns the index of the last byte of the first end at or after i
// (the end of sql if there is none). A doubled quote inside a literal closes
// and reopens it, which skips the same bytes.
func skipTo(sql string, i int, end string) int {
	j := strings.Index(sql[i:], end)
	if j < 0 {
		return len(sql) - 1
	}
	return i + j + len(end) - 1
}

// dollarTag returns the $tag$ that s starts with, if any.
func dollarTag(s string) (string, bool) {
	for j := 1; j < len(s); j++ {
		c := s[j]
		if c == '$' {
			return s[:j+1], true
		}
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || j > 1 && c >= '0' && c <= '9') {
			return "", false
		}
	}
	return "", false
}

func onlyComments(s string) bool {
	for _, line := range strings.Split(s, "\n") {
		if l := strings.TrimSpace(line); l != "" && !strings.HasPrefix(l, "--") {
			return false
		}
	}
	return true
}
