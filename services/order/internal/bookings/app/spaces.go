package app

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/services/order/internal/bookings/domain"
	"github.com/jangteo/jangteo/services/order/internal/bookings/store"
)

// CreateSpace lists a space with hostID as its host.
func (a *App) CreateSpace(ctx context.Context, hostID string, sp domain.Space) (domain.Space, error) {
	if err := domain.ValidateSpace(sp); err != nil {
		return sp, err
	}
	sp.ID, sp.Slug, sp.HostID, sp.CreatedAt = uuid.Must(uuid.NewV7()).String(), domain.Slug(sp.Name), hostID, a.clock().Truncate(time.Microsecond)
	err := a.store.Tx(ctx, func(tx pgx.Tx) error { return store.InsertSpace(ctx, tx, sp) })
	return sp, err
}

// SpaceEdit is a change to a space: nil fields keep their value, and
// Options, when set, replace them all.
type SpaceEdit struct {
	Name, District, Address, Category, Description *string
	ContactEmail                                   *string
	MinPeople, MaxPeople                           *int
	Facilities                                     []string
	Options                                        []domain.SpaceOption
}

// EditSpace changes a space; only its host or staff may.
func (a *App) EditSpace(ctx context.Context, userID string, staff bool, key string, e SpaceEdit) (domain.Space, error) {
	var out domain.Space
	err := a.store.Tx(ctx, func(tx pgx.Tx) error {
		sp, err := store.LockSpace(ctx, tx, key)
		if err != nil {
			return err
		}
		if sp.HostID != userID && !staff {
			return domain.ErrNotHost
		}
		set(&sp.Name, e.Name)
		set(&sp.District, e.District)
		set(&sp.Address, e.Address)
		set(&sp.Category, e.Category)
		set(&sp.Description, e.Description)
		set(&sp.ContactEmail, e.ContactEmail)
		set(&sp.MinPeople, e.MinPeople)
		set(&sp.MaxPeople, e.MaxPeople)
		if len(e.Facilities) > 0 {
			sp.Facilities = e.Facilities
		}
		if len(e.Options) > 0 {
			sp.Options = e.Options
		}
		if err := domain.ValidateSpace(sp); err != nil {
			return err
		}
		out = sp
		return store.UpdateSpace(ctx, tx, sp, len(e.Options) > 0)
	})
	return out, err
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// Space reads a space by slug or id, as userID (possibly empty) sees it.
func (a *App) Space(ctx context.Context, key, userID string) (domain.Space, error) {
	return store.Space(ctx, a.store.Pool(), key, userID)
}

// Spaces searches spaces.
func (a *App) Spaces(ctx context.Context, f domain.Search, userID string) ([]domain.Space, int, error) {
	if err := f.Check(); err != nil {
		return nil, 0, err
	}
	return store.Search(ctx, a.store.Pool(), f, userID)
}

// Availability lists which options of a space are free on each date of month (YYYY-MM).
func (a *App) Availability(ctx context.Context, key, month string) ([]domain.Availability, error) {
	from, to, err := domain.MonthRange(month)
	if err != nil {
		return nil, err
	}
	sp, err := store.Space(ctx, a.store.Pool(), key, "")
	if err != nil {
		return nil, err
	}
	booked, err := store.Booked(ctx, a.store.Pool(), sp.ID, from.Add(-24*time.Hour), to)
	if err != nil {
		return nil, err
	}
	return domain.Month(sp, month, booked, a.clock())
}

// Like records userID's like of a space (once) and returns its count.
func (a *App) Like(ctx context.Context, userID, key string, like bool) (int, error) {
	sp, err := store.Space(ctx, a.store.Pool(), key, "")
	if err != nil {
		return 0, err
	}
	var n int
	err = a.store.Tx(ctx, func(tx pgx.Tx) (err error) {
		if like {
			n, err = store.Like(ctx, tx, sp.ID, userID)
		} else {
			n, err = store.Unlike(ctx, tx, sp.ID, userID)
		}
		return err
	})
	return n, err
}
