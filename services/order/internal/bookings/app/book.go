package app

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"go.uber.org/zap"

	"github.com/jangteo/jangteo/platform/idempotency"
	"github.com/jangteo/jangteo/services/order/internal/bookings/domain"
	"github.com/jangteo/jangteo/services/order/internal/bookings/events"
	"github.com/jangteo/jangteo/services/order/internal/bookings/store"
)

// Book holds a slot for userID: the space, the option's price and its slot
// come from the catalog and are kept on the booking; the booking is written
// with its expiry job in one transaction, and the exclusion constraint turns
// away an overlapping one with domain.ErrSlotTaken.
func (a *App) Book(ctx context.Context, userID string, r domain.Request) (domain.Booking, error) {
	if err := domain.CheckRequest(r, a.clock()); err != nil {
		return domain.Booking{}, err
	}
	// The booking's id is derived from the call's idempotency key, so a
	// retry whose first run committed finds its booking (the call runs
	// outside the key's transaction: no connection is held across the
	// catalog's answer).
	id, keyed := idempotency.Derive(ctx, "booking")
	if keyed {
		if b, found, err := a.earlier(ctx, id, userID, r); found || err != nil {
			return b, err
		}
	}
	sp, err := a.spaces.Bookable(ctx, r.Space, r.Date, r.Option)
	if err != nil {
		return domain.Booking{}, err
	}
	b, err := domain.NewBooking(sp, r, userID, a.clock(), a.cfg.Hold)
	if err != nil {
		return b, err
	}
	if keyed {
		b.ID = id
	}
	err = a.store.Tx(ctx, func(tx pgx.Tx) error {
		if err := store.InsertBooking(ctx, tx, b); err != nil {
			return err
		}
		if err := events.Publish(ctx, tx, events.SubjectHeld, b); err != nil {
			return err
		}
		return a.timers.ExpireAt(ctx, tx, b.ID, b.HoldUntil)
	})
	if keyed && err != nil {
		// Another replica may have run the same call meanwhile (its booking
		// takes the id, or the slot).
		if prior, found, perr := a.earlier(ctx, id, userID, r); found || perr != nil {
			return prior, perr
		}
	}
	return b, err
}

// earlier returns the booking an earlier run of the same keyed call made,
// or IDEMPOTENCY_KEY_REUSED when it was made for another request.
func (a *App) earlier(ctx context.Context, id, userID string, r domain.Request) (domain.Booking, bool, error) {
	b, err := store.Booking(ctx, a.store.Pool(), id)
	if errors.Is(err, domain.ErrBookingNotFound) {
		return domain.Booking{}, false, nil
	}
	if err != nil {
		return domain.Booking{}, false, err
	}
	same := b.UserID == userID && (r.Space == b.SpaceID || r.Space == b.SpaceSlug) && r.Date == b.Date.Format(time.DateOnly) &&
		r.Option == string(b.Option) && r.People == b.People && strings.TrimSpace(r.Note) == b.Note && r.Email == b.Email
	if !same {
		return domain.Booking{}, true, idempotency.ErrKeyReused
	}
	return b, true, nil
}

// Expire ends the hold of a booking still unpaid, freeing its slot.
func (a *App) Expire(ctx context.Context, id string) (bool, error) {
	var done bool
	err := a.store.Tx(ctx, func(tx pgx.Tx) error {
		b, ok, err := store.Expire(ctx, tx, id, a.clock())
		if err != nil || !ok {
			return err
		}
		done = true
		return events.Publish(ctx, tx, events.SubjectReleased, b)
	})
	if done {
		a.log.Info("booking hold expired", zap.String("booking_id", id))
	}
	return done, err
}

// Complete closes a confirmed booking whose slot has ended.
func (a *App) Complete(ctx context.Context, id string) (bool, error) {
	var done bool
	err := a.store.Tx(ctx, func(tx pgx.Tx) (err error) {
		done, err = store.Complete(ctx, tx, id, a.clock())
		return err
	})
	return done, err
}

// HostedBookings pages the bookings of userID's spaces (staff: of every
// space), of one space when key names it.
func (a *App) HostedBookings(ctx context.Context, userID string, staff bool, key string, page, size int) ([]domain.Booking, int, error) {
	host, spaceID := userID, ""
	if staff {
		host = ""
	}
	if key != "" {
		sp, err := a.spaces.Bookable(ctx, key, "", "")
		if err != nil {
			return nil, 0, err
		}
		if sp.HostID != userID && !staff {
			return nil, 0, domain.ErrNotHost
		}
		spaceID = sp.ID
	}
	if size <= 0 {
		size = 20
	}
	if page <= 0 {
		page = 1
	}
	return store.ByHost(ctx, a.store.Pool(), host, spaceID, size, (page-1)*size)
}

// Booking reads one of userID's bookings; another user's is not found.
func (a *App) Booking(ctx context.Context, userID, id string) (domain.Booking, error) {
	b, err := store.Booking(ctx, a.store.Pool(), id)
	if err == nil && b.UserID != userID {
		return domain.Booking{}, domain.ErrBookingNotFound.With("no booking %s", id)
	}
	return b, err
}

// Bookings pages userID's bookings, newest first.
func (a *App) Bookings(ctx context.Context, userID string, page, size int) ([]domain.Booking, int, error) {
	if size <= 0 {
		size = 20
	}
	if page <= 0 {
		page = 1
	}
	return store.ByUser(ctx, a.store.Pool(), userID, size, (page-1)*size)
}
