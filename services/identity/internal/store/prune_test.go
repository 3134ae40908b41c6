package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/platform/testkit"
	"github.com/jangteo/jangteo/services/identity/internal/store"
)

func TestPruneTokensKeepsLiveAndRecentlyExpiredTokens(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, err := postgres.Connect(ctx, testkit.Database(t), "identity")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if err := postgres.Migrate(ctx, pool, postgres.MigrationSet{Name: "identity", FS: store.Migrations, Dir: "migrations"}); err != nil {
		t.Fatal(err)
	}
	user := uuid.NewString()
	if _, err := pool.Exec(ctx, `INSERT INTO users (id, email, name, roles, status) VALUES ($1, 'a@example.com', 'A', '{customer}', 'active')`, user); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for i, expires := range []time.Time{now.Add(-8 * 24 * time.Hour), now.Add(-time.Hour), now.Add(time.Hour)} {
		hash := []byte{byte(i)}
		if _, err := pool.Exec(ctx, `INSERT INTO one_time_tokens (hash, purpose, user_id, expires_at) VALUES ($1, 'verify', $2, $3)`, hash, user, expires); err != nil {
			t.Fatal(err)
		}
		if _, err := pool.Exec(ctx, `INSERT INTO refresh_tokens (id, family_id, user_id, hash, expires_at) VALUES ($1, $1, $2, $3, $4)`,
			uuid.NewString(), user, hash, expires); err != nil {
			t.Fatal(err)
		}
	}
	n, err := store.New(pool).PruneTokens(ctx, now.Add(-7*24*time.Hour))
	if err != nil || n != 2 {
		t.Fatalf("PruneTokens = %d, %v; want 2 (one of each kind)", n, err)
	}
	var left int
	if err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM one_time_tokens) + (SELECT count(*) FROM refresh_tokens)`).Scan(&left); err != nil || left != 4 {
		t.Fatalf("%d tokens left (%v), want 4", left, err)
	}
}
