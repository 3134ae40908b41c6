// Package app holds the use cases of spaces: listing and editing them,
// their pictures and likes, searching by district, head count and a free
// date, a month's availability, what a booking reads of a space, and the
// availability projection the booking events keep.
package app

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/platform/errs"
	"github.com/jangteo/jangteo/platform/images"
	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/services/catalog/internal/slug"
	"github.com/jangteo/jangteo/services/catalog/internal/spaces/domain"
	"github.com/jangteo/jangteo/services/catalog/internal/spaces/store"
)

// App runs the use cases.
type App struct {
	db    postgres.Conn // the pool, or a consumer's transaction (WithTx)
	pics  images.Store
	clock func() time.Time
}

// New returns the use cases over db (the pool), with pictures saved to pics.
func New(db postgres.Conn, pics images.Store) *App {
	return &App{db: db, pics: pics, clock: time.Now}
}

// WithTx returns the use cases running inside tx (an event consumer's, with its inbox row).
func (a *App) WithTx(tx pgx.Tx) *App {
	c := *a
	c.db = tx
	return &c
}

func (a *App) tx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return postgres.InTx(ctx, a.db, fn)
}

// CreateSpace lists a space with hostID as its host.
func (a *App) CreateSpace(ctx context.Context, hostID string, sp domain.Space) (domain.Space, error) {
	if err := domain.ValidateSpace(sp); err != nil {
		return sp, err
	}
	sp.ID, sp.HostID, sp.CreatedAt = uuid.Must(uuid.NewV7()).String(), hostID, a.clock().Truncate(time.Microsecond)
	sp.Slug = slug.WithSuffix(slug.Make(sp.Name), slug.RandomSuffix())
	err := a.tx(ctx, func(tx pgx.Tx) error { return store.InsertSpace(ctx, tx, sp) })
	return sp, err
}

// SpaceEdit is a change to a space: nil fields keep their value, and
// Facilities and Options, when set, replace them all.
type SpaceEdit struct {
	Name, District, Address, Category, Description *string
	ContactEmail                                   *string
	Latitude, Longitude                            *float64
	MinPeople, MaxPeople                           *int
	Facilities                                     []string
	Options                                        []domain.SpaceOption
}

// EditSpace changes a space; only its host or staff may.
func (a *App) EditSpace(ctx context.Context, userID string, staff bool, key string, e SpaceEdit) (domain.Space, error) {
	return a.change(ctx, userID, staff, key, func(sp *domain.Space) (bool, error) {
		set(&sp.Name, e.Name)
		set(&sp.District, e.District)
		set(&sp.Address, e.Address)
		set(&sp.Category, e.Category)
		set(&sp.Description, e.Description)
		set(&sp.ContactEmail, e.ContactEmail)
		set(&sp.MinPeople, e.MinPeople)
		set(&sp.MaxPeople, e.MaxPeople)
		if e.Latitude != nil {
			sp.Latitude = e.Latitude
		}
		if e.Longitude != nil {
			sp.Longitude = e.Longitude
		}
		if len(e.Facilities) > 0 {
			sp.Facilities = e.Facilities
		}
		if len(e.Options) > 0 {
			sp.Options = e.Options
		}
		return len(e.Options) > 0, domain.ValidateSpace(*sp)
	})
}

// change runs edit on the locked space when userID hosts it or is staff,
// and writes the result (the options too when edit says so).
func (a *App) change(ctx context.Context, userID string, staff bool, key string, edit func(sp *domain.Space) (bool, error)) (domain.Space, error) {
	var out domain.Space
	err := a.tx(ctx, func(tx pgx.Tx) error {
		sp, err := store.LockSpace(ctx, tx, key)
		if err != nil {
			return err
		}
		if sp.HostID != userID && !staff {
			return domain.ErrNotHost
		}
		replace, err := edit(&sp)
		if err != nil {
			return err
		}
		out = sp
		return store.UpdateSpace(ctx, tx, sp, replace)
	})
	return out, err
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// UploadImage checks and stores a picture of a space and appends it to the
// space's pictures; only its host or staff may.
func (a *App) UploadImage(ctx context.Context, userID string, staff bool, key, declaredType string, data []byte) (string, domain.Space, error) {
	sp, err := store.Space(ctx, a.db, key, "")
	if err != nil {
		return "", sp, err
	}
	if sp.HostID != userID && !staff {
		return "", sp, domain.ErrNotHost
	}
	url, err := images.Save(ctx, a.pics, "spaces/"+sp.ID, declaredType, data)
	if err != nil {
		return "", sp, err
	}
	sp, err = a.change(ctx, userID, staff, sp.ID, func(sp *domain.Space) (bool, error) {
		if len(sp.ImageURLs) >= domain.MaxImages {
			return false, errs.InvalidFields(errs.Field("data", "a space has at most 20 pictures"))
		}
		sp.ImageURLs = append(sp.ImageURLs, url)
		return false, nil
	})
	return url, sp, err
}

// Space reads a space by slug or id, as userID (possibly empty) sees it.
func (a *App) Space(ctx context.Context, key, userID string) (domain.Space, error) {
	return store.Space(ctx, a.db, key, userID)
}

// Spaces searches spaces; "free on date" reads the availability projection.
func (a *App) Spaces(ctx context.Context, f domain.Search, userID string) ([]domain.Space, int, error) {
	if err := f.Check(); err != nil {
		return nil, 0, err
	}
	return store.Search(ctx, a.db, f, userID)
}

// Availability lists which options of a space are free on each date of
// month (YYYY-MM), from the availability projection.
func (a *App) Availability(ctx context.Context, key, month string) ([]domain.Availability, error) {
	from, to, err := domain.MonthRange(month)
	if err != nil {
		return nil, err
	}
	sp, err := store.Space(ctx, a.db, key, "")
	if err != nil {
		return nil, err
	}
	booked, err := store.Booked(ctx, a.db, sp.ID, from.Add(-24*time.Hour), to)
	if err != nil {
		return nil, err
	}
	return domain.Month(sp, month, booked, a.clock())
}

// Like records userID's like of a space (once), or takes it back, and returns its count.
func (a *App) Like(ctx context.Context, userID, key string, like bool) (int, error) {
	sp, err := store.Space(ctx, a.db, key, "")
	if err != nil {
		return 0, err
	}
	var n int
	err = a.tx(ctx, func(tx pgx.Tx) (err error) {
		if like {
			n, err = store.Like(ctx, tx, sp.ID, userID)
		} else {
			n, err = store.Unlike(ctx, tx, sp.ID, userID)
		}
		return err
	})
	return n, err
}

// Bookable is what a booking reads of a space: the space and, when kind is
// set, that option on date with its time range.
type Bookable struct {
	Space      domain.Space
	Option     *domain.SpaceOption
	Start, End time.Time
}

// Bookable reads a space for a booking of kind on date (both optional).
func (a *App) Bookable(ctx context.Context, key, date string, kind domain.Option) (Bookable, error) {
	sp, err := store.Space(ctx, a.db, key, "")
	if err != nil || kind == "" {
		return Bookable{Space: sp}, err
	}
	o, start, end, err := sp.Slot(date, kind)
	if err != nil {
		return Bookable{}, err
	}
	return Bookable{Space: sp, Option: &o, Start: start, End: end}, nil
}

// ApplySlot records a booked slot's new state in the availability projection.
func (a *App) ApplySlot(ctx context.Context, s domain.Slot) error {
	_, err := store.ApplySlot(ctx, a.db, s)
	return err
}
