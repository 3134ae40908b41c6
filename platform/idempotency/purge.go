package idempotency

import (
	"context"
	"fmt"
)

// purgeBatch bounds one DELETE, so a purge never holds many row locks at once.
const purgeBatch = 1000

// Purge deletes the keys whose TTL has passed and returns how many. It is the
// body of a periodic job; running it on several replicas at once is harmless.
func (k *Keys) Purge(ctx context.Context) (int64, error) {
	const q = `DELETE FROM idempotency_keys k USING (
			SELECT scope, method, key FROM idempotency_keys
			WHERE expires_at <= now() LIMIT $1 FOR UPDATE SKIP LOCKED) old
		WHERE k.scope = old.scope AND k.method = old.method AND k.key = old.key`
	var total int64
	for {
		tag, err := k.pool.Exec(ctx, q, purgeBatch)
		if err != nil {
			return total, fmt.Errorf("idempotency: purge: %w", err)
		}
		total += tag.RowsAffected()
		if tag.RowsAffected() < purgeBatch {
			return total, nil
		}
	}
}
