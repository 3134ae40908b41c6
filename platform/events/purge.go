package events

import (
	"context"
	"fmt"
	"time"

	"github.com/jangteo/jangteo/platform/postgres"
)

// OutboxRetention is how long published outbox rows are kept for audit.
const OutboxRetention = 7 * 24 * time.Hour

// PurgeOutbox deletes outbox rows published before before and returns how
// many. Every service runs it as a periodic job (platform/service).
func PurgeOutbox(ctx context.Context, db postgres.DB, before time.Time) (int64, error) {
	tag, err := db.Exec(ctx, `DELETE FROM outbox WHERE published_at < $1`, before)
	if err != nil {
		return 0, fmt.Errorf("events: purge outbox: %w", err)
	}
	return tag.RowsAffected(), nil
}
