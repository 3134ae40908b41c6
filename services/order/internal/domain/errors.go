package domain

import "github.com/jangteo/jangteo/platform/errs"

// Sentinel errors of the order service. Use cases refine the message with
// With; errors.Is still matches the sentinel.
var (
	ErrOrderNotFound   = errs.New(errs.NotFound, "ORDER_NOT_FOUND", "order not found")
	ErrCartEmpty       = errs.New(errs.Conflict, "CART_EMPTY", "the cart is empty")
	ErrOutOfStock      = errs.New(errs.Conflict, "OUT_OF_STOCK", "a line is out of stock")
	ErrNotOnSale       = errs.New(errs.Conflict, "NOT_ON_SALE", "a line is not on sale")
	ErrStateConflict   = errs.New(errs.Conflict, "ORDER_STATE_CONFLICT", "the order cannot change that way now")
	ErrNotPayable      = errs.New(errs.Conflict, "ORDER_NOT_PAYABLE", "the order cannot be paid")
	ErrRefundExceeds   = errs.New(errs.Conflict, "REFUND_EXCEEDS_BALANCE", "the refund is more than what is left")
	ErrMixedCurrencies = errs.New(errs.Conflict, "MIXED_CURRENCIES", "the cart holds prices in more than one currency")
	ErrCatalogDown     = errs.New(errs.Unavailable, "CATALOG_UNAVAILABLE", "the catalog cannot be reached; try again shortly")
	ErrCartDown        = errs.New(errs.Unavailable, "CART_UNAVAILABLE", "the cart cannot be reached; try again shortly")
	ErrPaymentDown     = errs.New(errs.Unavailable, "PAYMENT_UNAVAILABLE", "the payment service cannot be reached; try again shortly")
)

// StateConflict is ErrStateConflict naming the order's current status.
func StateConflict(number string, current Status, action string) error {
	return ErrStateConflict.With("order %s is %s and cannot be %s", number, current, action)
}

// More sentinels for staff actions.
var (
	ErrShipmentIncomplete = errs.InvalidFields(
		errs.Field("carrier", "carrier and tracking_number are required to ship"),
		errs.Field("tracking_number", "carrier and tracking_number are required to ship"))
	ErrRefundLine = errs.New(errs.Conflict, "REFUND_LINE_INVALID", "the refund names a line that cannot be refunded")
)

// ErrReservationReleased means the catalog gave an order's held stock back
// (its sweeper, after the order service missed the window) before the
// order's payment could commit it.
var ErrReservationReleased = errs.New(errs.Conflict, "RESERVATION_RELEASED", "the order's stock was given back")

// ErrCheckoutLapsed means an earlier run of a keyed checkout held the stock
// and the catalog gave it back (its TTL ended before a retry with the same
// key wrote the order).
var ErrCheckoutLapsed = errs.New(errs.Conflict, "CHECKOUT_LAPSED", "the stock an earlier attempt with this Idempotency-Key held was given back; check out again with a new key")
