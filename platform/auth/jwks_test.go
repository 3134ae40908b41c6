package auth_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/jangteo/jangteo/platform/auth"
	"github.com/jangteo/jangteo/platform/testkit"
)

func TestKeyCacheFetchesOnceAndRateLimitsUnknownKids(t *testing.T) {
	t.Parallel()
	iss := testkit.NewIssuer()
	var fetches atomic.Int32
	cache := auth.NewKeyCache(func(ctx context.Context) ([]byte, error) {
		fetches.Add(1)
		return iss.JWKS(), nil
	})
	for range 3 {
		if _, err := cache.Key(context.Background(), iss.Kid); err != nil {
			t.Fatal(err)
		}
	}
	if n := fetches.Load(); n != 1 {
		t.Fatalf("fetches = %d, want 1", n)
	}
	// Unknown kids right after a fetch are refused without refetching, so forged
	// kids cannot make every request call identity.
	for range 3 {
		if _, err := cache.Key(context.Background(), "nope"); !errors.Is(err, auth.ErrUnknownKey) {
			t.Fatalf("err = %v, want ErrUnknownKey", err)
		}
	}
	if n := fetches.Load(); n != 1 {
		t.Fatalf("fetches = %d, want still 1", n)
	}
}

func TestHTTPFetch(t *testing.T) {
	t.Parallel()
	iss := testkit.NewIssuer()
	srv := iss.Server(t)
	cache := auth.NewKeyCache(auth.HTTPFetch(srv.URL+"/.well-known/jwks.json", nil))
	v := auth.NewVerifier(cache)
	p, err := v.Verify(context.Background(), iss.Token("user-1", "customer"))
	if err != nil {
		t.Fatal(err)
	}
	if p.UserID != "user-1" || !p.HasRole("customer") || p.IsStaff() {
		t.Fatalf("principal = %+v", p)
	}
}

// TestKeysUnavailableIsNotUnauthenticated: when identity cannot be reached and
// no key is cached, a token is not known to be bad, so the caller gets a 503.
func TestKeysUnavailableIsNotUnauthenticated(t *testing.T) {
	t.Parallel()
	iss := testkit.NewIssuer()
	v := auth.NewVerifier(auth.NewKeyCache(func(context.Context) ([]byte, error) {
		return nil, errors.New("connection refused")
	}))
	if _, err := v.Verify(context.Background(), iss.Token("u1", "customer")); !errors.Is(err, auth.ErrKeysUnavailable) {
		t.Fatalf("Verify with identity down = %v, want ErrKeysUnavailable", err)
	}
}
