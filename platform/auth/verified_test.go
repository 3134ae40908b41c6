package auth_test

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jangteo/jangteo/platform/auth"
	"github.com/jangteo/jangteo/platform/testkit"
)

// clock is a settable time for a verifier.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func newVerifier(iss *testkit.Issuer, ttl time.Duration, max int) (*auth.Verifier, *clock) {
	v := auth.NewVerifier(auth.NewKeyCache(iss.Fetch()))
	c := &clock{now: time.Now()}
	auth.SetClock(v, c.Now)
	auth.RememberVerified(v, ttl, max)
	return v, c
}

func TestVerifiedTokenIsRemembered(t *testing.T) {
	t.Parallel()
	iss := testkit.NewIssuer()
	v, _ := newVerifier(iss, time.Minute, 100)
	token := iss.Token("u-remembered", "customer", "staff")
	first, err := v.Verify(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}
	if n := auth.Remembered(v); n != 1 {
		t.Fatalf("%d tokens remembered, want 1", n)
	}
	first.Roles[0] = "admin" // a caller changing its copy changes nothing remembered
	again, err := v.Verify(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}
	if again.UserID != "u-remembered" || len(again.Roles) != 2 || again.Roles[0] != "customer" || again.IsAdmin() {
		t.Fatalf("remembered caller %+v", again)
	}
	if n := auth.Remembered(v); n != 1 {
		t.Fatalf("%d tokens remembered, want 1", n)
	}
}

// A remembered token is refused once it expires, however long the cache
// would keep it.
func TestExpiredTokenIsNeverAcceptedFromMemory(t *testing.T) {
	t.Parallel()
	iss := testkit.NewIssuer()
	v, c := newVerifier(iss, time.Hour, 100)
	token := iss.Sign(iss.Claims("u-expiring", 2*time.Minute, "customer"))
	if _, err := v.Verify(context.Background(), token); err != nil {
		t.Fatal(err)
	}
	c.Advance(time.Minute)
	if _, err := v.Verify(context.Background(), token); err != nil {
		t.Fatalf("a minute before exp: %v", err)
	}
	c.Advance(2 * time.Minute) // a minute past exp, beyond the parser's 30 s leeway
	if _, err := v.Verify(context.Background(), token); !errors.Is(err, auth.ErrTokenExpired) {
		t.Fatalf("a minute after exp: %v, want ErrTokenExpired", err)
	}
}

// A token that differs from a remembered one in its signature or its claims
// is verified in full, and refused.
func TestTamperedTokenNeverMatchesARememberedOne(t *testing.T) {
	t.Parallel()
	iss := testkit.NewIssuer()
	v, _ := newVerifier(iss, time.Hour, 100)
	token := iss.Token("u-tamper", "customer")
	if _, err := v.Verify(context.Background(), token); err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(token, ".")
	sig := []byte(parts[2])
	sig[3] ^= 1 // still base64url
	if sig[3] == '-' || sig[3] == '_' || sig[3] == '.' {
		sig[3] = 'A'
	}
	badSig := parts[0] + "." + parts[1] + "." + string(sig)

	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	escalated := strings.Replace(string(payload), `"customer"`, `"admin"`, 1)
	if escalated == string(payload) {
		t.Fatalf("payload %s has no role to change", payload)
	}
	badClaims := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(escalated)) + "." + parts[2]

	for name, bad := range map[string]string{"signature": badSig, "claims": badClaims, "trailing space": token + " ", "other issuer": testkit.NewIssuer().Token("u-tamper", "customer")} {
		for range 2 { // a refusal is not remembered either
			if p, err := v.Verify(context.Background(), bad); !errors.Is(err, auth.ErrTokenInvalid) {
				t.Fatalf("tampered %s: %+v, %v; want ErrTokenInvalid", name, p, err)
			}
		}
	}
	if n := auth.Remembered(v); n != 1 {
		t.Fatalf("%d tokens remembered, want only the good one", n)
	}
}

// The cache holds at most its bound, and every token still verifies.
func TestRememberedTokensAreBounded(t *testing.T) {
	t.Parallel()
	iss := testkit.NewIssuer()
	v, _ := newVerifier(iss, time.Hour, 10)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 25 {
				token := iss.Token("u-bounded", "customer")
				for range 2 {
					if _, err := v.Verify(context.Background(), token); err != nil {
						t.Errorf("token %d/%d: %v", i, j, err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	if n := auth.Remembered(v); n > 10 || n == 0 {
		t.Fatalf("%d tokens remembered, want 1 to 10", n)
	}
}
