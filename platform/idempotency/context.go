package idempotency

import (
	"context"

	"github.com/google/uuid"
)

type callKey struct{}

func withCall(ctx context.Context, c call) context.Context {
	return context.WithValue(ctx, callKey{}, c)
}

// KeyFrom returns the idempotency key of the call ctx belongs to, as the
// interceptor accepted it (structured-field quotes removed).
func KeyFrom(ctx context.Context) (string, bool) {
	c, ok := ctx.Value(callKey{}).(call)
	return c.key, ok
}

// Derive returns a UUID that is the same every time this call is retried with
// its key, and different for another caller, another method or another
// purpose: the way a key flows on, as a payment provider's idempotency header
// (PayPal-Request-Id, Toss Idempotency-Key) or an event's id, without one
// customer's key ever meeting another's at the provider.
func Derive(ctx context.Context, purpose string) (string, bool) {
	c, ok := ctx.Value(callKey{}).(call)
	if !ok {
		return "", false
	}
	return uuid.NewSHA1(namespace, []byte(c.scope+"\n"+c.method+"\n"+c.key+"\n"+purpose)).String(), true
}

// namespace is the UUIDv5 namespace of derived ids.
var namespace = uuid.MustParse("6f1c3a52-8a43-4f0e-9d0e-3b8a9f1d2c47")
