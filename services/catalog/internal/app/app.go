// Package app holds the catalog's use cases, one per file.
//
// A use case that writes more than one row owns its transaction: it runs
// postgres.InTx on a.db, makes the store over that transaction with a.stores,
// and writes its events (and schedules its jobs) on the same transaction, so
// all of it commits or none does. Reads and single statements use a.store.
// WithTx runs the use cases inside a caller's transaction (an event
// consumer's, with its inbox row).
package app

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/jangteo/jangteo/platform/postgres"
)

// Store is what the use cases need from persistence: the small interfaces
// each group of use cases declares beside it.
type Store interface {
	slugStore
	categoryStore
	causeStore
	brandStore
	productStore
	reviewStore
	reservationStore
	marketQuoteStore
}

// slugStore finds out whether a derived slug is free.
type slugStore interface {
	SlugTaken(ctx context.Context, table, slug string) (bool, error)
}

// Jobs schedules background jobs in a transaction (river's client).
type Jobs interface {
	InsertTx(ctx context.Context, tx pgx.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// ImageStore saves an image under key and returns the URL clients load it from.
type ImageStore interface {
	Put(ctx context.Context, key, contentType string, data []byte) (url string, err error)
}

// App runs the catalog's use cases.
type App struct {
	db     postgres.Conn           // the pool, or the transaction of WithTx
	stores func(postgres.DB) Store // the store over a use case's transaction
	store  Store                   // the store over db
	jobs   Jobs
	images ImageStore
}

// New returns the use cases over db (the pool), with stores making the store
// over the pool or a transaction, jobs scheduling timers and uploads saved to
// images.
func New(db postgres.Conn, stores func(postgres.DB) Store, jobs Jobs, images ImageStore) *App {
	if db == nil || stores == nil || jobs == nil || images == nil {
		panic("app: nil dependency")
	}
	return &App{db: db, stores: stores, store: stores(db), jobs: jobs, images: images}
}

// WithTx returns the use cases running inside tx: their transactions become
// savepoints of tx and commit with it.
func (a *App) WithTx(tx pgx.Tx) *App {
	c := *a
	c.db, c.store = tx, a.stores(tx)
	return &c
}
