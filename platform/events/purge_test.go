package events_test

import (
	"context"
	"testing"
	"time"

	"github.com/jangteo/jangteo/platform/events"
	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/platform/testkit"
)

func TestPurgeOutboxKeepsPendingAndRecentRows(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, err := postgres.Connect(ctx, testkit.Database(t), "purge")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if err := events.Setup(ctx, pool); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	const insert = `INSERT INTO outbox (id, subject, type, payload, published_at) VALUES (gen_random_uuid(), $1, 't', '', $2)`
	for subject, published := range map[string]*time.Time{
		"old":     new(now.Add(-8 * 24 * time.Hour)),
		"recent":  new(now.Add(-time.Hour)),
		"pending": nil,
	} {
		if _, err := pool.Exec(ctx, insert, subject, published); err != nil {
			t.Fatal(err)
		}
	}
	n, err := events.PurgeOutbox(ctx, pool, now.Add(-events.OutboxRetention))
	if err != nil || n != 1 {
		t.Fatalf("PurgeOutbox = %d, %v; want 1", n, err)
	}
	var left []string
	rows, _ := pool.Query(ctx, `SELECT subject FROM outbox ORDER BY subject`)
	for rows.Next() {
		var s string
		_ = rows.Scan(&s)
		left = append(left, s)
	}
	if rows.Err() != nil || len(left) != 2 || left[0] != "pending" || left[1] != "recent" {
		t.Fatalf("left %v (%v), want [pending recent]", left, rows.Err())
	}
}
