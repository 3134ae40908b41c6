// Package events defines what space rental publishes on the ORDER stream:
// a booking taking a slot (order.booking_held), paying for it
// (order.booking_confirmed) and giving it back (order.booking_released),
// written to the outbox in the use case's transaction.
package events

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"google.golang.org/protobuf/types/known/timestamppb"

	orderv1 "github.com/jangteo/jangteo/gen/go/jangteo/order/v1"
	"github.com/jangteo/jangteo/platform/events"
	"github.com/jangteo/jangteo/services/order/internal/bookings/domain"
)

// Subjects space rental publishes on (stream ORDER).
const (
	SubjectHeld      = "order.booking_held"
	SubjectConfirmed = "order.booking_confirmed"
	SubjectReleased  = "order.booking_released"
)

// Publish writes b's slot change on subject to the outbox in tx, with the
// booking as the aggregate: the catalog's availability projection applies
// one booking's events in order.
func Publish(ctx context.Context, tx pgx.Tx, subject string, b domain.Booking) error {
	_, err := events.Enqueue(ctx, tx, subject, &orderv1.BookingSlotChanged{
		BookingId: b.ID, Number: b.Number, SpaceId: b.SpaceID, UserId: b.UserID, HostId: b.HostID,
		Date: b.Date.Format(time.DateOnly), Option: string(b.Option), StartTime: timestamppb.New(b.Start),
		EndTime: timestamppb.New(b.End), Status: string(b.Status),
	}, events.Aggregate(b.ID))
	return err
}
