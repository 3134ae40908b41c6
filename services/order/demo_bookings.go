package order

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/services/order/internal/bookings/domain"
	bookingevents "github.com/jangteo/jangteo/services/order/internal/bookings/events"
	bookingstore "github.com/jangteo/jangteo/services/order/internal/bookings/store"
)

// demoBookings are the slots of the catalog's demo spaces the demo books,
// days from today.
var demoBookings = []struct {
	space  string
	days   int
	option string
}{
	{"합정 자연광 스튜디오", 1, "day"}, {"합정 자연광 스튜디오", 1, "night"}, {"합정 자연광 스튜디오", 3, "all_day"},
	{"연남동 루프탑 파티룸", 2, "night"}, {"역삼 회의실 4인", 1, "day"}, {"성수 쿠킹 스튜디오", 5, "all_day"},
	{"망원 촬영 스튜디오 화이트", 2, "day"},
}

// SeedDemoBookings books a few slots of the catalog's demo spaces in the
// coming days (confirmed, as if paid), so a search by date shows taken and
// free slots. Run it once the catalog serves; it does nothing when bookings
// exist already or the demo spaces are not there.
func (s *Service) SeedDemoBookings(ctx context.Context) error {
	var n int
	if err := s.rt.Pool.QueryRow(ctx, `SELECT count(*) FROM bookings`).Scan(&n); err != nil || n > 0 {
		return err
	}
	list, err := s.spaces.ListSpaces(ctx, &catalogv1.ListSpacesRequest{PageSize: 100})
	if err != nil {
		return fmt.Errorf("seed bookings: %w", err)
	}
	spaces := map[string]*catalogv1.Space{}
	for _, sp := range list.GetSpaces() {
		spaces[sp.GetName()] = sp
	}
	today := time.Now().In(domain.Seoul)
	for i, d := range demoBookings {
		sp, ok := spaces[d.space]
		if !ok {
			continue
		}
		b, err := s.bookings.Book(ctx, fmt.Sprintf("00000000-0000-7000-8000-0000000a%04d", i), domain.Request{
			Space: sp.GetId(), Date: today.AddDate(0, 0, d.days).Format(time.DateOnly), Option: d.option,
			People: int(sp.GetMinPeople()), Email: fmt.Sprintf("guest%d@jangteo.dev", i+1),
		})
		if err != nil {
			return fmt.Errorf("seed booking of %s: %w", d.space, err)
		}
		err = postgres.InTx(ctx, s.rt.Pool, func(tx pgx.Tx) error {
			confirmed, ok, err := bookingstore.Confirm(ctx, tx, b.ID, "", time.Now())
			if err != nil || !ok {
				return err
			}
			return bookingevents.Publish(ctx, tx, bookingevents.SubjectConfirmed, confirmed)
		})
		if err != nil {
			return fmt.Errorf("seed booking of %s: %w", d.space, err)
		}
	}
	return nil
}
