package auth_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jangteo/jangteo/platform/auth"
	"github.com/jangteo/jangteo/platform/errs"
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

// While identity cannot be reached: a token whose key is cached keeps
// verifying, one whose key cannot be looked up is 503 (never 401), and once
// identity is back it verifies within the retry interval, not minutes later.
func TestKeyCacheOutage(t *testing.T) {
	t.Parallel()
	iss := testkit.NewIssuer()
	var down atomic.Bool
	var fetches atomic.Int32
	cache := auth.NewKeyCache(func(ctx context.Context) ([]byte, error) {
		fetches.Add(1)
		if down.Load() {
			return nil, errors.New("connection refused")
		}
		return iss.JWKS(), nil
	})
	v := auth.NewVerifier(cache)
	ctx := context.Background()

	down.Store(true)
	_, err := v.Verify(ctx, iss.Token("user-1", "customer"))
	var e *errs.Error
	if !errors.As(err, &e) || e.Kind != errs.Unavailable || e.RetryAfter == 0 {
		t.Fatalf("verify while identity is down = %v; want Unavailable with a retry delay", err)
	}
	down.Store(false)
	deadline := time.Now().Add(3 * time.Second)
	for {
		if _, err = v.Verify(ctx, iss.Token("user-1", "customer")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still failing after identity came back: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// Known keys keep working through the next outage.
	down.Store(true)
	if _, err := v.Verify(ctx, iss.Token("user-2")); err != nil {
		t.Fatalf("verify with a cached key during an outage = %v", err)
	}
	if n := fetches.Load(); n > 5 {
		t.Fatalf("fetches = %d: retries are not paced", n)
	}
}
