package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Pipeline collects writes whose results nobody reads (inserts, updates with
// a known outcome) and sends them to PostgreSQL in one round trip with Send,
// inside the caller's transaction: a use case that writes many rows at once
// pays one network round trip instead of one per statement. It is a DB, so
// code that only executes statements (events.Enqueue, a store's inserts)
// writes into it unchanged; reading through it is an error.
type Pipeline struct {
	batch pgx.Batch
}

var errPipelineRead = errors.New("postgres: a pipeline only queues writes; read through the transaction")

// Len is the number of statements queued.
func (p *Pipeline) Len() int { return p.batch.Len() }

// Exec queues sql; its error, if any, is Send's. The returned tag is empty.
func (p *Pipeline) Exec(_ context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	p.batch.Queue(sql, args...)
	return pgconn.CommandTag{}, nil
}

// Expect queues sql, which must affect exactly rows rows: Send fails with
// what otherwise, naming the rows it did affect.
func (p *Pipeline) Expect(rows int64, otherwise error, sql string, args ...any) {
	p.batch.Queue(sql, args...).Exec(func(ct pgconn.CommandTag) error {
		if ct.RowsAffected() != rows {
			return fmt.Errorf("%w (%d rows, want %d)", otherwise, ct.RowsAffected(), rows)
		}
		return nil
	})
}

// Query implements DB; it fails (a pipeline reads nothing).
func (p *Pipeline) Query(context.Context, string, ...any) (pgx.Rows, error) {
	return nil, errPipelineRead
}

// QueryRow implements DB; its Scan fails (a pipeline reads nothing).
func (p *Pipeline) QueryRow(context.Context, string, ...any) pgx.Row { return failedRow{} }

// SendBatch implements DB; it fails (a batch is read, a pipeline is not).
func (p *Pipeline) SendBatch(context.Context, *pgx.Batch) pgx.BatchResults { return failedBatch{} }

// Send runs the queued statements in tx, in order, in one round trip, and
// empties the pipeline. The first failure is returned (and, PostgreSQL
// having aborted tx, the transaction must roll back).
func (p *Pipeline) Send(ctx context.Context, tx pgx.Tx) error {
	if p.batch.Len() == 0 {
		return nil
	}
	err := tx.SendBatch(ctx, &p.batch).Close()
	p.batch = pgx.Batch{}
	return err
}

type failedRow struct{}

func (failedRow) Scan(...any) error { return errPipelineRead }

type failedBatch struct{ pgx.BatchResults }

func (failedBatch) Exec() (pgconn.CommandTag, error) { return pgconn.CommandTag{}, errPipelineRead }
func (failedBatch) Query() (pgx.Rows, error)         { return nil, errPipelineRead }
func (failedBatch) QueryRow() pgx.Row                { return failedRow{} }
func (failedBatch) Close() error                     { return errPipelineRead }
