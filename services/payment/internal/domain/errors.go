package domain

import "github.com/jangteo/jangteo/platform/errs"

// The failures a client may see.
var (
	ErrNotFound = errs.New(errs.NotFound, "PAYMENT_NOT_FOUND", "payment not found")
	// ErrStatusConflict is an illegal transition; its message names the
	// payment's current status.
	ErrStatusConflict = errs.New(errs.Conflict, "PAYMENT_STATUS_CONFLICT", "the payment cannot make this change in its current status")
	// ErrRefundExceedsBalance says how much is left to refund.
	ErrRefundExceedsBalance = errs.New(errs.Conflict, "REFUND_EXCEEDS_BALANCE", "the refund exceeds what is left to refund")
	// ErrKeyReused is an idempotency key sent again with another request.
	ErrKeyReused = errs.New(errs.Invalid, "IDEMPOTENCY_KEY_REUSED", "this idempotency key was used for another request")
	// ErrUnknownProvider names a provider that is not enabled.
	ErrUnknownProvider = errs.New(errs.Invalid, "UNKNOWN_PROVIDER", "this payment provider is not available")
	// ErrDeclined is a payment the provider or the buyer declined.
	ErrDeclined = errs.New(errs.Conflict, "PAYMENT_DECLINED", "the payment was declined")
	// ErrNotApprovedByBuyer is an approval before the buyer approved at the provider.
	ErrNotApprovedByBuyer = errs.New(errs.Conflict, "PAYMENT_NOT_APPROVED_BY_BUYER", "the buyer has not approved the payment at the provider yet")
	// ErrOrderAlreadyPaid is an approval of a second payment of a paid order.
	ErrOrderAlreadyPaid = errs.New(errs.Conflict, "ORDER_ALREADY_PAID", "the order was already paid by another payment; this one was given back")
	// ErrRefundRejected is a refund the provider refused.
	ErrRefundRejected = errs.New(errs.Conflict, "REFUND_REJECTED", "the provider refused the refund")
	// ErrProviderUnavailable is a provider that did not answer, or whose
	// answer is not known yet; the same request may be retried.
	ErrProviderUnavailable = errs.New(errs.Unavailable, "PROVIDER_UNAVAILABLE", "the payment provider did not answer; try again")
)
