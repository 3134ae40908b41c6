package app

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/services/catalog/internal/domain"
)

// reservationStore is what the reservation use cases need.
type reservationStore interface {
	ClaimReservation(ctx context.Context, r domain.Reservation) (bool, error)
	TakeStock(ctx context.Context, orderID string, l domain.ReservationLine) (domain.StockChange, error)
	Reservation(ctx context.Context, orderID string) (domain.Reservation, error)
	CommitReservation(ctx context.Context, orderID string) error
	ReleaseReservation(ctx context.Context, orderID string) ([]domain.StockChange, error)
	ReleaseIfExpired(ctx context.Context, orderID string) ([]domain.StockChange, error)
	ExpiredReservations(ctx context.Context, limit int) ([]string, error)
}

// ReserveStock holds every line of an order, or none, and schedules the
// reservation's expiry in the same transaction. Repeating the call for the
// same order returns the first reservation and changes nothing; the same
// order id with other lines is a conflict, and a released order cannot
// reserve again.
func (a *App) ReserveStock(ctx context.Context, orderID string, lines []domain.ReservationLine, ttl time.Duration) (domain.Reservation, error) {
	if ttl <= 0 {
		ttl = domain.DefaultReservationTTL
	}
	r := domain.Reservation{
		OrderID:   orderID,
		Lines:     domain.NormalizeLines(lines),
		ExpiresAt: time.Now().UTC().Add(min(ttl, domain.MaxReservationTTL)).Truncate(time.Microsecond),
		Status:    domain.ReservationActive,
	}
	var (
		got     domain.Reservation
		created bool
	)
	err := postgres.InTx(ctx, a.db, func(tx pgx.Tx) error {
		s := a.stores(tx)
		var err error
		if created, err = s.ClaimReservation(ctx, r); err != nil {
			return err
		}
		if !created {
			got, err = s.Reservation(ctx, orderID)
			return err
		}
		// Lines are sorted by variant, so concurrent orders lock variants in
		// the same order and cannot deadlock.
		changes := make([]domain.StockChange, 0, len(r.Lines))
		for _, l := range r.Lines {
			c, err := s.TakeStock(ctx, orderID, l)
			if err != nil {
				return err
			}
			changes = append(changes, c)
		}
		if err := publishStockChanged(ctx, tx, changes...); err != nil {
			return err
		}
		got = r
		_, err = a.jobs.InsertTx(ctx, tx, ExpireReservationArgs{OrderID: orderID}, &river.InsertOpts{ScheduledAt: r.ExpiresAt})
		return err
	})
	if err != nil || created {
		return got, err
	}
	if got.Status == domain.ReservationReleased {
		return domain.Reservation{}, domain.ErrReservationReleased
	}
	if !slices.Equal(got.Lines, r.Lines) {
		return domain.Reservation{}, domain.ErrReservationMismatch
	}
	return got, nil
}

// CommitReservation marks an order's held stock as sold; committing again
// changes nothing.
func (a *App) CommitReservation(ctx context.Context, orderID string) (domain.Reservation, error) {
	var r domain.Reservation
	err := postgres.InTx(ctx, a.db, func(tx pgx.Tx) error {
		s := a.stores(tx)
		if err := s.CommitReservation(ctx, orderID); err != nil {
			return err
		}
		var err error
		r, err = s.Reservation(ctx, orderID)
		return err
	})
	if err != nil {
		return domain.Reservation{}, err
	}
	if r.Status == domain.ReservationReleased {
		return domain.Reservation{}, domain.ErrReservationReleased
	}
	return r, nil
}

// ReleaseReservation gives an order's units back; releasing again changes
// nothing. Releasing an order that never reserved leaves a released
// reservation behind, so a late reserve for it takes nothing.
func (a *App) ReleaseReservation(ctx context.Context, orderID string) (domain.Reservation, error) {
	var r domain.Reservation
	err := postgres.InTx(ctx, a.db, func(tx pgx.Tx) error {
		s := a.stores(tx)
		changes, err := s.ReleaseReservation(ctx, orderID)
		if err != nil {
			return err
		}
		if err := publishStockChanged(ctx, tx, changes...); err != nil {
			return err
		}
		r, err = s.Reservation(ctx, orderID)
		return err
	})
	return r, err
}

// ExpireReservation releases the order's reservation if it is still active
// and its time is up; a reservation committed or released meanwhile is left
// alone. When its time is not up yet, it returns how long is left.
func (a *App) ExpireReservation(ctx context.Context, orderID string) (left time.Duration, err error) {
	err = postgres.InTx(ctx, a.db, func(tx pgx.Tx) error {
		s := a.stores(tx)
		changes, err := s.ReleaseIfExpired(ctx, orderID)
		if err != nil || len(changes) > 0 {
			if err == nil {
				err = publishStockChanged(ctx, tx, changes...)
			}
			return err
		}
		r, err := s.Reservation(ctx, orderID)
		if err != nil {
			return err
		}
		if r.Status == domain.ReservationActive {
			left = max(time.Until(r.ExpiresAt), time.Second)
		}
		return nil
	})
	return left, err
}

// SweepBatch is how many expired reservations one sweep looks up at a time.
const SweepBatch = 100

// ReleaseExpired releases every active reservation past its expiry and
// returns how many it released: the safety net under the expiry jobs (and
// for reservations made before them).
func (a *App) ReleaseExpired(ctx context.Context) (int, error) {
	total := 0
	for {
		ids, err := a.store.ExpiredReservations(ctx, SweepBatch)
		if err != nil {
			return total, err
		}
		for _, id := range ids {
			left, err := a.ExpireReservation(ctx, id)
			if err != nil {
				return total, err
			}
			if left == 0 {
				total++
			}
		}
		if len(ids) < SweepBatch {
			return total, nil
		}
	}
}

// VariantDetails describes the variants found among ids in request order,
// and returns the ids that name no variant.
func (a *App) VariantDetails(ctx context.Context, ids []string) ([]domain.VariantDetail, []string, error) {
	found, err := a.store.VariantDetails(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	byID := make(map[string]domain.VariantDetail, len(found))
	for _, d := range found {
		byID[d.ID] = d
	}
	var (
		out     []domain.VariantDetail
		missing []string
	)
	for _, id := range ids {
		if d, ok := byID[strings.ToLower(id)]; ok { // the database spells uuids in lower case
			out = append(out, d)
		} else {
			missing = append(missing, id)
		}
	}
	return out, missing, nil
}
