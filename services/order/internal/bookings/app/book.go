package app

import (
	"context"
	"strconv"

	"github.com/jackc/pgx/v5"
	"go.uber.org/zap"

	"github.com/jangteo/jangteo/services/order/internal/bookings/domain"
	"github.com/jangteo/jangteo/services/order/internal/bookings/store"
)

// Book holds a slot for userID: the booking is written with its expiry job
// in one transaction, and the exclusion constraint turns away an
// overlapping one with domain.ErrSlotTaken.
func (a *App) Book(ctx context.Context, userID string, r domain.Request) (domain.Booking, error) {
	sp, err := store.Space(ctx, a.store.Pool(), r.Space, "")
	if err != nil {
		return domain.Booking{}, err
	}
	b, err := domain.NewBooking(sp, r, userID, a.clock(), a.cfg.Hold)
	if err != nil {
		return b, err
	}
	err = a.store.Tx(ctx, func(tx pgx.Tx) error {
		if err := store.InsertBooking(ctx, tx, b); err != nil {
			return err
		}
		return a.timers.ExpireAt(ctx, tx, b.ID, b.HoldUntil)
	})
	return b, err
}

// Expire ends the hold of a booking still unpaid, freeing its slot.
func (a *App) Expire(ctx context.Context, id string) (bool, error) {
	var done bool
	err := a.store.Tx(ctx, func(tx pgx.Tx) (err error) {
		done, err = store.Expire(ctx, tx, id, a.clock())
		return err
	})
	if done {
		a.log.Info("booking hold expired", zap.String("booking_id", id))
	}
	return done, err
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

func itoa(i int) string { return strconv.Itoa(i) }
