package app

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/jangteo/jangteo/services/catalog/internal/domain"
)

// ReserveStock holds every line of an order, or none. Repeating the call for
// the same order returns the first reservation and changes nothing; the
// same order id with other lines is a conflict, and a released order cannot
// reserve again.
func (a *App) ReserveStock(ctx context.Context, orderID string, lines []domain.ReservationLine, ttl time.Duration) (domain.Reservation, error) {
	if ttl <= 0 {
		ttl = domain.DefaultReservationTTL
	}
	r := domain.Reservation{
		OrderID:   orderID,
		Lines:     domain.NormalizeLines(lines),
		ExpiresAt: time.Now().UTC().Add(min(ttl, domain.MaxReservationTTL)).Truncate(time.Microsecond),
	}
	got, created, err := a.store.Reserve(ctx, r)
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
	r, err := a.store.CommitReservation(ctx, orderID)
	if err != nil {
		return domain.Reservation{}, err
	}
	if r.Status == domain.ReservationReleased {
		return domain.Reservation{}, domain.ErrReservationReleased
	}
	return r, nil
}

// ReleaseReservation gives an order's units back; releasing again changes
// nothing.
func (a *App) ReleaseReservation(ctx context.Context, orderID string) (domain.Reservation, error) {
	return a.store.ReleaseReservation(ctx, orderID)
}

// SweepBatch is how many expired reservations one sweep releases at most.
const SweepBatch = 100

// ReleaseExpired releases reservations whose time is up, in batches, and
// returns how many it released.
func (a *App) ReleaseExpired(ctx context.Context) (int, error) {
	total := 0
	for {
		n, err := a.store.ReleaseExpired(ctx, SweepBatch)
		total += n
		if err != nil || n < SweepBatch {
			return total, err
		}
	}
}

// SweepReservations runs ReleaseExpired every interval until ctx ends.
func (a *App) SweepReservations(ctx context.Context, every time.Duration, onError func(error)) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if _, err := a.ReleaseExpired(ctx); err != nil && ctx.Err() == nil {
				onError(err)
			}
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
