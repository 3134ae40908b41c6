package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/services/order/internal/market/book"
	"github.com/jangteo/jangteo/services/order/internal/market/domain"
)

// Opening is what a matcher reads first, in one round trip, when it decides
// a batch of placements: the variant's lock taken, the version of its book,
// and those of the batch's offers that already exist (placed by an earlier
// run of the same request).
type Opening struct {
	Version  int64
	Existing map[string]domain.Offer
}

// Open takes the variant's lock in tx and reads the book's version and the
// offers among ids that exist.
func Open(ctx context.Context, tx pgx.Tx, variantID string, ids []string) (Opening, error) {
	b := &pgx.Batch{}
	b.Queue(lockVariant, variantID)
	b.Queue(`SELECT coalesce((SELECT version FROM market_books WHERE variant_id = $1), 0)`, variantID)
	b.Queue(`SELECT `+offerCols+` FROM market_offers WHERE id = ANY($1::uuid[])`, ids)
	br := tx.SendBatch(ctx, b)
	defer br.Close()
	out := Opening{Existing: map[string]domain.Offer{}}
	if _, err := br.Exec(); err != nil {
		return Opening{}, fmt.Errorf("db: lock variant: %w", err)
	}
	if err := br.QueryRow().Scan(&out.Version); err != nil {
		return Opening{}, fmt.Errorf("db: book version: %w", err)
	}
	rows, err := br.Query()
	if err != nil {
		return Opening{}, fmt.Errorf("db: existing offers: %w", err)
	}
	for rows.Next() {
		o, err := scanOffer(rows)
		if err != nil {
			rows.Close()
			return Opening{}, fmt.Errorf("db: existing offers: %w", err)
		}
		out.Existing[o.ID] = o
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Opening{}, fmt.Errorf("db: existing offers: %w", err)
	}
	return out, br.Close()
}

// LoadBook reads the variant's open offers standing at now into a book.
func LoadBook(ctx context.Context, tx pgx.Tx, variantID string, now time.Time) (*book.Book, error) {
	rows, err := tx.Query(ctx, `SELECT `+offerCols+`, seq FROM market_offers
		WHERE variant_id = $1 AND status = 'open' AND expires_at > $2 ORDER BY seq`, variantID, now)
	if err != nil {
		return nil, fmt.Errorf("db: load book: %w", err)
	}
	defer rows.Close()
	b := book.New()
	for rows.Next() {
		var seq int64
		o, err := scanOffer(rows, &seq)
		if err != nil {
			return nil, fmt.Errorf("db: load book: %w", err)
		}
		b.Add(o, seq)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: load book: %w", err)
	}
	return b, nil
}

// SetVersion records the variant's book version.
func SetVersion(ctx context.Context, db postgres.DB, variantID string, version int64) error {
	const q = `INSERT INTO market_books (variant_id, version) VALUES ($1, $2)
		ON CONFLICT (variant_id) DO UPDATE SET version = excluded.version`
	if _, err := db.Exec(ctx, q, variantID, version); err != nil {
		return fmt.Errorf("db: book version: %w", err)
	}
	return nil
}

// BookChanged counts the variant's book version up: call it, holding the
// variant's lock, in every transaction that changes its open offers other
// than the matcher's.
func BookChanged(ctx context.Context, tx pgx.Tx, variantID string) error {
	const q = `INSERT INTO market_books (variant_id, version) VALUES ($1, 1)
		ON CONFLICT (variant_id) DO UPDATE SET version = market_books.version + 1`
	if _, err := tx.Exec(ctx, q, variantID); err != nil {
		return fmt.Errorf("db: book version: %w", err)
	}
	return nil
}

// ErrBookMoved means an offer the matcher took from its book was not open in
// PostgreSQL: the batch rolls back and the book is read again.
var ErrBookMoved = errors.New("market: the book changed under the matcher")
