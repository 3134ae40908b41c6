package identity_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	identityv1 "github.com/jangteo/jangteo/gen/go/jangteo/identity/v1"
	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/services/identity"
)

// oneHashAtATime leaves room for a single 64 MiB hash and barely waits for it.
func oneHashAtATime(c *identity.Config) {
	c.PasswordHashMemoryMiB = 64
	c.PasswordHashQueueTimeout = time.Millisecond
}

// Sign-ups beyond the hashing budget are told to come back (503 with
// Retry-After), not queued without bound; none is a 500.
func TestSignUpBurstIsBounded(t *testing.T) {
	t.Parallel()
	e := start(t, oneHashAtATime)
	const n = 8
	codesSeen := make(chan error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, err := e.client.SignUp(context.Background(), &identityv1.SignUpRequest{
				Email: fmt.Sprintf("burst%d@example.com", i), Password: "correct-horse-7", Name: "B",
			})
			codesSeen <- err
		})
	}
	wg.Wait()
	close(codesSeen)
	busy := 0
	for err := range codesSeen {
		switch code(err) {
		case codes.OK:
		case codes.Unavailable:
			busy++
			if !hasRetryInfo(err) {
				t.Fatalf("503 without a retry delay: %v", err)
			}
		default:
			t.Fatalf("sign-up = %v; want OK or Unavailable", err)
		}
	}
	if busy == 0 {
		t.Fatal("no sign-up was turned away although one hash fits the budget")
	}
}

// A taken email is answered before any hash is made, so a burst of
// duplicate sign-ups costs no hashing memory and never waits for it.
func TestDuplicateSignUpIsCheckedBeforeHashing(t *testing.T) {
	t.Parallel()
	e := start(t, oneHashAtATime)
	ctx := context.Background()
	req := &identityv1.SignUpRequest{Email: "dup@example.com", Password: "correct-horse-7", Name: "D"}
	if _, err := e.client.SignUp(ctx, req); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if _, err := e.client.SignUp(ctx, req); code(err) != codes.AlreadyExists {
				t.Errorf("duplicate sign-up = %v; want AlreadyExists", err)
			}
		})
	}
	wg.Wait()
}

// A password hashed with older parameters is rehashed with the current ones
// at the next successful sign-in.
func TestLoginRehashesOldParameters(t *testing.T) {
	t.Parallel()
	e := start(t)
	ctx := context.Background()
	e.signUp(t, "old@example.com")
	pool, err := postgres.Connect(ctx, e.cfg.DatabaseURL, identity.Name)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	// "correct-horse-7" under m=1024,t=1,p=1 (the test parameters).
	const old = "$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$" + "FcHN+//JTBi3Uiv6TwP1MZ5vRItRG0tl9M2xZqihp0k"
	if _, err := pool.Exec(ctx, `UPDATE users SET password_hash = $1 WHERE email = 'old@example.com'`, old); err != nil {
		t.Fatal(err)
	}
	e.login(t, "old@example.com", "correct-horse-7")
	var hash string
	if err := pool.QueryRow(ctx, `SELECT password_hash FROM users WHERE email = 'old@example.com'`).Scan(&hash); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=65536,t=3,p=2$") {
		t.Fatalf("hash after login = %q; want the current parameters", hash)
	}
	e.login(t, "old@example.com", "correct-horse-7") // and it still works
}

func hasRetryInfo(err error) bool {
	for _, d := range status.Convert(err).Details() {
		if _, ok := d.(*errdetails.RetryInfo); ok {
			return true
		}
	}
	return false
}

// A sign-in turned away because the hasher is busy checked nothing, so it
// does not count toward locking the account: after as many wrong passwords
// at once as the lock allows, most refused by the budget, the right password
// still signs in.
func TestBusyLoginDoesNotCountTowardTheLock(t *testing.T) {
	t.Parallel()
	e := start(t, oneHashAtATime)
	ctx := context.Background()
	e.signUp(t, "busy@example.com")
	const n = 5 // LOGIN_MAX_FAILURES_PER_ACCOUNT: a sixth counted attempt locks
	results := make(chan error, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			_, err := e.client.Login(ctx, &identityv1.LoginRequest{Email: "busy@example.com", Password: "wrong-horse-8"})
			results <- err
		})
	}
	wg.Wait()
	close(results)
	busy, wrong := 0, 0
	for err := range results {
		switch code(err) {
		case codes.Unavailable:
			busy++
		case codes.Unauthenticated:
			wrong++
		default:
			t.Fatalf("wrong-password sign-in = %v; want Unauthenticated or Unavailable", err)
		}
	}
	if busy == 0 {
		t.Skipf("%d wrong, none busy: the burst did not overrun the budget on this machine", wrong)
	}
	e.login(t, "busy@example.com", "correct-horse-7")
}
