package app

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/services/catalog/internal/domain"
)

// causeStore is what the cause use cases need.
type causeStore interface {
	CreateCause(ctx context.Context, c domain.Cause) (domain.Cause, error)
	Causes(ctx context.Context) ([]domain.Cause, error)
	Cause(ctx context.Context, slug string) (domain.Cause, error)
	CauseForUpdate(ctx context.Context, id string) (domain.Cause, error)
	SaveCause(ctx context.Context, c domain.Cause) error
	DeleteCause(ctx context.Context, id string) error
}

// CreateCause adds a cause, deriving its slug from the name when empty.
func (a *App) CreateCause(ctx context.Context, c domain.Cause) (domain.Cause, error) {
	return withSlug(ctx, a, "causes", c.Slug, c.Name, func(s string) (domain.Cause, error) {
		c.Slug = s
		return a.store.CreateCause(ctx, c)
	})
}

// UpdateCause changes the fields patch sets.
func (a *App) UpdateCause(ctx context.Context, id string, patch domain.CausePatch) (domain.Cause, error) {
	var c domain.Cause
	err := postgres.InTx(ctx, a.db, func(tx pgx.Tx) error {
		s := a.stores(tx)
		var err error
		if c, err = s.CauseForUpdate(ctx, id); err != nil {
			return err
		}
		patch.Apply(&c)
		return s.SaveCause(ctx, c)
	})
	return c, err
}

// DeleteCause removes a cause; its brands stay, without a cause.
func (a *App) DeleteCause(ctx context.Context, id string) error {
	return a.store.DeleteCause(ctx, id)
}

// Causes lists every cause.
func (a *App) Causes(ctx context.Context) ([]domain.Cause, error) {
	return a.store.Causes(ctx)
}

// Cause reads a cause with the brands working on it.
func (a *App) Cause(ctx context.Context, slug string) (domain.Cause, error) {
	c, err := a.store.Cause(ctx, slug)
	if err != nil {
		return domain.Cause{}, err
	}
	c.Brands, err = a.store.Brands(ctx, c.Slug)
	return c, err
}
