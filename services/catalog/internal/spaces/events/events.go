// Package events keeps the availability projection from the order
// service's booking events: order.booking_held, order.booking_confirmed and
// order.booking_released on the ORDER stream.
package events

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	orderv1 "github.com/jangteo/jangteo/gen/go/jangteo/order/v1"
	"github.com/jangteo/jangteo/platform/events"
	"github.com/jangteo/jangteo/services/catalog/internal/spaces/domain"
)

// Subjects of the order service's booking events, and the state each gives a slot.
var states = map[string]domain.SlotState{
	"order.booking_held":      domain.SlotHeld,
	"order.booking_confirmed": domain.SlotConfirmed,
	"order.booking_released":  domain.SlotReleased,
}

// BookingSlotsConsumer is the durable consumer of the booking events.
var BookingSlotsConsumer = events.ConsumerConfig{
	Name:     "catalog-booking-slots",
	Service:  "order",
	Subjects: []string{"order.booking_held", "order.booking_confirmed", "order.booking_released"},
}

// SlotRecorder is the use case the handler runs.
type SlotRecorder interface {
	ApplySlot(ctx context.Context, s domain.Slot) error
}

// BookingSlots returns the handler that keeps the projection. It runs in
// the consumer's transaction with the inbox row, so a redelivered event is
// skipped; the order service names each booking as the events' aggregate,
// so one booking's events apply in order, and the projection's states only
// move forward besides.
func BookingSlots(inTx func(tx pgx.Tx) SlotRecorder) events.Handler {
	return func(ctx context.Context, tx pgx.Tx, d events.Delivery) error {
		state, ok := states[d.Subject]
		if !ok {
			return events.Permanent(fmt.Errorf("booking slots: unexpected subject %s", d.Subject))
		}
		var ev orderv1.BookingSlotChanged
		if err := d.Decode(&ev); err != nil {
			return err
		}
		if ev.GetBookingId() == "" || ev.GetSpaceId() == "" || ev.GetStartTime() == nil || ev.GetEndTime() == nil {
			return events.Permanent(fmt.Errorf("booking slots: event %s lacks its booking, space or slot", d.ID))
		}
		return inTx(tx).ApplySlot(ctx, domain.Slot{
			BookingID: ev.GetBookingId(), SpaceID: ev.GetSpaceId(), Date: ev.GetDate(), Option: domain.Option(ev.GetOption()),
			Start: ev.GetStartTime().AsTime(), End: ev.GetEndTime().AsTime(), State: state,
		})
	}
}
