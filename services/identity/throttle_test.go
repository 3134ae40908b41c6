package identity_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"google.golang.org/grpc/codes"

	identityv1 "github.com/jangteo/jangteo/gen/go/jangteo/identity/v1"
	"github.com/jangteo/jangteo/services/identity"
)

func loginFrom(e env, ip, email, pw string) error {
	_, err := e.client.Login(fromIP(ip), &identityv1.LoginRequest{Email: email, Password: pw})
	return err
}

func TestLoginThrottlePerAccount(t *testing.T) {
	t.Parallel()
	e := start(t)
	e.signUp(t, "target@example.com")
	// Four failures, then a success clears them.
	for i := range 4 {
		if err := loginFrom(e, fmt.Sprintf("198.51.100.%d", i), "target@example.com", "wrong-pass-1"); code(err) != codes.Unauthenticated {
			t.Fatalf("failure %d = %v", i, err)
		}
	}
	if err := loginFrom(e, "198.51.100.50", "target@example.com", "correct-horse-7"); err != nil {
		t.Fatal(err)
	}
	// Five failures from five IPs lock the account, even for the right password.
	for i := range 5 {
		if err := loginFrom(e, fmt.Sprintf("198.51.100.%d", 10+i), "TARGET@example.com", "wrong-pass-1"); code(err) != codes.Unauthenticated {
			t.Fatalf("failure %d = %v", i, err)
		}
	}
	err := loginFrom(e, "198.51.100.99", "target@example.com", "correct-horse-7")
	if code(err) != codes.ResourceExhausted || reason(err) != "TOO_MANY_ATTEMPTS" {
		t.Fatalf("locked login = %v", err)
	}
	if d := retryAfter(err); d < 14*time.Minute || d > 15*time.Minute {
		t.Fatalf("retry after %v, want about 15m", d)
	}
	// Unknown accounts are throttled the same way, so locking says nothing.
	for range 5 {
		_ = loginFrom(e, "198.51.100.98", "ghost@example.com", "wrong-pass-1")
	}
	if err := loginFrom(e, "198.51.100.97", "ghost@example.com", "wrong-pass-1"); code(err) != codes.ResourceExhausted {
		t.Fatalf("unknown account = %v", err)
	}
}

func TestLoginThrottlePerIP(t *testing.T) {
	t.Parallel()
	e := start(t, func(c *identity.Config) { c.LoginMaxAttemptsPerIP = 3 })
	e.signUp(t, "ipuser@example.com")
	for i := range 3 {
		_ = loginFrom(e, "203.0.113.9", fmt.Sprintf("spray%d@example.com", i), "wrong-pass-1")
	}
	err := loginFrom(e, "203.0.113.9", "ipuser@example.com", "correct-horse-7")
	if code(err) != codes.ResourceExhausted || retryAfter(err) <= 0 {
		t.Fatalf("fourth attempt from one IP = %v", err)
	}
	if err := loginFrom(e, "203.0.113.10", "ipuser@example.com", "correct-horse-7"); err != nil {
		t.Fatalf("another IP: %v", err)
	}
}

func TestHoneypot(t *testing.T) {
	t.Parallel()
	e := start(t)
	adm := as(e.login(t, adminEmail, adminPassword).GetAccessToken())
	customer := as(e.signUp(t, "curious@example.com").GetAccessToken())
	// The gateway calls the internal RPCs with its own service token.
	internal := e.gateway(t)
	record := func(ip, user string) bool {
		t.Helper()
		resp, err := e.client.RecordHoneypotAttempt(internal, &identityv1.RecordHoneypotAttemptRequest{
			Ip: ip, UserAgent: "sqlmap/1.7", Path: "/admin/login", UsernameTried: user,
		})
		if err != nil {
			t.Fatal(err)
		}
		return resp.GetBlocked()
	}
	for i, want := range []bool{false, false, true, true} {
		if got := record("192.0.2.66", fmt.Sprintf("admin%d", i)); got != want {
			t.Fatalf("attempt %d blocked = %v, want %v", i+1, got, want)
		}
	}
	record("2001:db8::1", "root")
	blocked, err := e.client.ListBlockedIps(internal, &identityv1.ListBlockedIpsRequest{})
	if err != nil || !slices.Equal(blocked.GetIps(), []string{"192.0.2.66"}) {
		t.Fatalf("ListBlockedIps = %v, %v", blocked, err)
	}

	page, err := e.client.ListHoneypotAttempts(adm, &identityv1.ListHoneypotAttemptsRequest{PageSize: 3})
	if err != nil || len(page.GetAttempts()) != 3 || page.GetNextPageToken() == "" || page.GetAttempts()[0].GetIp() != "2001:db8::1" {
		t.Fatalf("first page = %v, %v", page, err)
	}
	a := page.GetAttempts()[1]
	if a.GetUserAgent() != "sqlmap/1.7" || a.GetUsernameTried() != "admin3" || a.GetCreateTime() == nil {
		t.Fatalf("attempt = %v", a)
	}
	next, err := e.client.ListHoneypotAttempts(adm, &identityv1.ListHoneypotAttemptsRequest{PageSize: 3, PageToken: page.GetNextPageToken()})
	if err != nil || len(next.GetAttempts()) != 2 || next.GetNextPageToken() != "" {
		t.Fatalf("second page = %v, %v", next, err)
	}
	if _, err := e.client.ListHoneypotAttempts(customer, &identityv1.ListHoneypotAttemptsRequest{}); code(err) != codes.PermissionDenied {
		t.Fatalf("customer = %v", err)
	}
	if _, err := e.client.UnblockIp(customer, &identityv1.UnblockIpRequest{Ip: "192.0.2.66"}); code(err) != codes.PermissionDenied {
		t.Fatalf("customer unblock = %v", err)
	}

	un, err := e.client.UnblockIp(adm, &identityv1.UnblockIpRequest{Ip: "192.0.2.66"})
	if err != nil || !un.GetWasBlocked() {
		t.Fatalf("UnblockIp = %v, %v", un, err)
	}
	if blocked, _ := e.client.ListBlockedIps(internal, &identityv1.ListBlockedIpsRequest{}); len(blocked.GetIps()) != 0 {
		t.Fatalf("still blocked: %v", blocked)
	}
	if record("192.0.2.66", "again") {
		t.Fatal("blocked again on the first attempt after unblock")
	}
	if _, err := e.client.RecordHoneypotAttempt(internal, &identityv1.RecordHoneypotAttemptRequest{Ip: "not-an-ip"}); code(err) != codes.InvalidArgument {
		t.Fatalf("bad ip = %v", err)
	}
}
