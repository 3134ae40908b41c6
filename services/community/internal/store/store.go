// Package store keeps the community's data in PostgreSQL. Use cases own the
// transaction (Store.InTx hands them a *Queries bound to it); every counter
// changes in the same statement as the row it counts, never read-then-write.
package store

import (
	"context"
	"embed"
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"google.golang.org/protobuf/proto"

	"github.com/jangteo/jangteo/platform/events"
	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/services/community/internal/domain"
)

// Migrations are the community schema's numbered SQL files.
//
//go:embed migrations/*.sql
var Migrations embed.FS

// Store is the community's PostgreSQL store.
type Store struct {
	pool *pgxpool.Pool
}

// New returns a store over pool.
func New(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// Queries run statements on a pool or inside one transaction.
type Queries struct {
	db postgres.DB
}

// Read returns queries that run outside a transaction.
func (s *Store) Read() *Queries { return &Queries{db: s.pool} }

// InTx runs fn with queries bound to one transaction, committed when fn
// returns nil.
func (s *Store) InTx(ctx context.Context, fn func(q *Queries) error) error {
	return postgres.InTx(ctx, s.pool, func(tx pgx.Tx) error { return fn(&Queries{db: tx}) })
}

// Tx binds queries to a transaction a caller already holds (an event
// handler's, which also records the event in the inbox).
func Tx(tx pgx.Tx) *Queries { return &Queries{db: tx} }

// Enqueue writes an event to the outbox in the queries' transaction.
func (q *Queries) Enqueue(ctx context.Context, subject string, msg proto.Message) error {
	_, err := events.Enqueue(ctx, q.db, subject, msg)
	return err
}

// nullable turns an empty id into SQL NULL.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Cursors are opaque to clients: base64url of the key values of the last
// row, joined by '|'.
func encodeCursor(parts ...string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strings.Join(parts, "|")))
}

func decodeCursor(c string, n int) ([]string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return nil, errBadCursor
	}
	parts := strings.Split(string(raw), "|")
	if len(parts) != n {
		return nil, errBadCursor
	}
	return parts, nil
}

var errBadCursor = domain.FieldError(domain.ErrBadCursor, "cursor", "not a cursor this list handed out")

// afterSeq decodes a cursor over a sequence column; nil for the first page.
func afterSeq(cursor string) (any, error) {
	if cursor == "" {
		return nil, nil
	}
	parts, err := decodeCursor(cursor, 1)
	if err != nil {
		return nil, err
	}
	seq, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil {
		return nil, errBadCursor
	}
	return seq, nil
}
