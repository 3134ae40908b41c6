package app

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/services/order/internal/bookings/domain"
	"github.com/jangteo/jangteo/services/order/internal/bookings/store"
)

// CreateSpace lists a space with hostID as its host. Options without hours
// take the defaults.
func (a *App) CreateSpace(ctx context.Context, hostID string, sp domain.Space) (domain.Space, error) {
	for i, o := range sp.Options {
		if _, err := domain.ParseOption("options["+itoa(i)+"].kind", string(o.Kind)); err != nil {
			return sp, err
		}
	}
	if err := domain.ValidateSpace(sp); err != nil {
		return sp, err
	}
	sp.ID, sp.Slug, sp.HostID, sp.CreatedAt = uuid.Must(uuid.NewV7()).String(), domain.Slug(sp.Name), hostID, a.clock().Truncate(time.Microsecond)
	err := a.store.Tx(ctx, func(tx pgx.Tx) error { return store.InsertSpace(ctx, tx, sp) })
	return sp, err
}

// Space reads a space by slug or id.
func (a *App) Space(ctx context.Context, key string) (domain.Space, error) {
	return store.Space(ctx, a.store.Pool(), key)
}
