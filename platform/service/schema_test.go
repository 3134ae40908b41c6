package service

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"go.uber.org/zap/zaptest"

	"github.com/jangteo/jangteo/platform/testkit"
)

// With MIGRATE_ON_START=false a service never migrates: it refuses to start
// while its schema lacks a version it embeds, naming each missing one (its
// own, the platform's and the job tables'), and starts once `migrate` (the
// chart's Job) has run. A schema ahead of the build (a newer release
// migrated it) is fine.
func TestStartChecksTheSchemaWhenNotMigrating(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	one := Migrations{FS: fstest.MapFS{"m/0001_things.up.sql": {Data: []byte(`CREATE TABLE things (id int)`)}}, Dir: "m"}
	two := Migrations{FS: fstest.MapFS{
		"m/0001_things.up.sql": {Data: []byte(`CREATE TABLE things (id int)`)},
		"m/0002_more.up.sql":   {Data: []byte(`ALTER TABLE things ADD COLUMN name text`)},
	}, Dir: "m"}
	base := Defaults("127.0.0.1:0")
	base.DatabaseURL, base.NATSURL, base.MetricsAddr = testkit.Database(t), testkit.NATS(t), ""
	base.MigrateOnStart = false
	start := func(m Migrations) error {
		rt, err := Start(ctx, "svc", base, zaptest.NewLogger(t), m, Options{Keys: testkit.NewIssuer().Fetch(), Listener: testkit.Listen(t)})
		if err == nil {
			rt.close()
		}
		return err
	}

	// A fresh database: everything is missing, and nothing was created.
	err := start(two)
	if !errors.Is(err, ErrSchemaBehind) {
		t.Fatalf("Start on an empty schema = %v, want ErrSchemaBehind", err)
	}
	for _, want := range []string{"svc/0001_things.up.sql", "svc/0002_more.up.sql", "events/0001_outbox_inbox.up.sql", "idempotency/", "river/1", "svc migrate", "MIGRATE_ON_START"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}

	// The Job of the previous release ran: only the new version is missing.
	if err := Migrate(ctx, base.DatabaseURL, "svc", one); err != nil {
		t.Fatal(err)
	}
	err = start(two)
	if !errors.Is(err, ErrSchemaBehind) || !strings.Contains(err.Error(), "missing svc/0002_more.up.sql;") {
		t.Fatalf("Start one version behind = %v, want it to name only svc/0002_more.up.sql", err)
	}
	// The previous release's pods still start against it.
	if err := start(one); err != nil {
		t.Fatalf("Start at the schema's version: %v", err)
	}

	// This release's Job ran: the service starts, and so do older builds.
	if err := Migrate(ctx, base.DatabaseURL, "svc", two); err != nil {
		t.Fatal(err)
	}
	if err := start(two); err != nil {
		t.Fatalf("Start after migrate: %v", err)
	}
	if err := start(one); err != nil {
		t.Fatalf("an older build against a newer schema: %v", err)
	}
}

// DATABASE_POOL_MAX_CONNS (the chart's database.poolMaxConns) caps the pool
// whatever the URL says; unset, the URL decides. IDEMPOTENCY_MAX_CALLS sizes
// the keyed calls' own pool.
func TestPoolMaxConns(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		url  string
		n    int
		want string
	}{
		{"postgres://u@db:5432/app?sslmode=disable", 0, "postgres://u@db:5432/app?sslmode=disable"},
		{"postgres://u@db:5432/app?sslmode=disable", 7, "postgres://u@db:5432/app?pool_max_conns=7&sslmode=disable"},
		{"postgresql://u@db/app?pool_max_conns=50", 7, "postgresql://u@db/app?pool_max_conns=7"},
		{"host=db user=u dbname=app", 7, "host=db user=u dbname=app pool_max_conns=7"},
	} {
		if got := poolURL(Base{DatabaseURL: c.url, DatabasePoolMaxConns: c.n}); got != c.want {
			t.Errorf("poolURL(%q, %d) = %q, want %q", c.url, c.n, got, c.want)
		}
	}
	base := Defaults("127.0.0.1:0")
	base.DatabaseURL, base.NATSURL, base.MetricsAddr, base.DatabasePoolMaxConns = testkit.Database(t), testkit.NATS(t), "", 3
	base.IdempotencyMaxCalls = 5
	rt, err := Start(context.Background(), "svc", base, zaptest.NewLogger(t), Migrations{FS: fstest.MapFS{"m/0001_x.up.sql": {Data: []byte(`SELECT 1`)}}, Dir: "m"},
		Options{Keys: testkit.NewIssuer().Fetch(), Listener: testkit.Listen(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.close()
	if got := rt.Pool.Config().MaxConns; got != 3 {
		t.Errorf("pool MaxConns = %d, want 3", got)
	}
	if got := rt.Keys.MaxCalls(); got != 5 {
		t.Errorf("keyed calls at once = %d, want 5", got)
	}
}
