package app

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/platform/mail"
	"github.com/jangteo/jangteo/services/order/internal/bookings/domain"
	"github.com/jangteo/jangteo/services/order/internal/bookings/store"
)

// Mailer sends mail.
type Mailer interface {
	Send(ctx context.Context, msg mail.Message) error
}

// MailChange tells the guest, and the host when the space had a contact
// address when it was booked, that a booking became status (confirmed or cancelled: the
// event's, as the booking may have moved on since). Other changes (a hold
// that expired) send nothing. Run from a consumer: a redelivery may send
// again, never lose the mail.
func (a *App) MailChange(ctx context.Context, tx pgx.Tx, bookingID string, status domain.Status) error {
	b, err := store.Booking(ctx, tx, bookingID)
	if err != nil {
		return err
	}
	var subject, what string
	switch status {
	case domain.StatusConfirmed:
		subject, what = "예약 확정 · Booking confirmed", "is confirmed"
	case domain.StatusCancelled:
		subject, what = "예약 취소 · Booking cancelled", fmt.Sprintf("was cancelled; refunded %s", won(b.Refunded, b.Currency))
	default:
		return nil
	}
	text := fmt.Sprintf("Booking %s %s.\n\n%s\n%s %s, %s – %s (Seoul)\n%d people, %s\n",
		b.Number, what, b.SpaceName, b.Date.Format(time.DateOnly), b.Option,
		b.Start.In(domain.Seoul).Format("01-02 15:04"), b.End.In(domain.Seoul).Format("01-02 15:04"), b.People, won(b.Price, b.Currency))
	for _, to := range []string{b.Email, b.HostEmail} {
		if to == "" {
			continue
		}
		if err := a.mailer.Send(ctx, mail.Message{To: to, Subject: subject + " " + b.Number, Text: text}); err != nil {
			return err
		}
	}
	return nil
}

// won renders minor units for people: "₩50,000" for KRW.
func won(amount int64, currency string) string {
	s := strconv.FormatInt(amount, 10)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if currency == "KRW" {
		return "₩" + b.String()
	}
	return b.String() + " " + currency
}
