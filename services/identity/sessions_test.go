package identity_test

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"google.golang.org/grpc/codes"

	identityv1 "github.com/jangteo/jangteo/gen/go/jangteo/identity/v1"
	"github.com/jangteo/jangteo/services/identity"
	"github.com/jangteo/jangteo/services/identity/internal/token"
)

func refresh(e env, tok string) (*identityv1.RefreshTokenResponse, error) {
	return e.client.RefreshToken(context.Background(), &identityv1.RefreshTokenRequest{RefreshToken: tok})
}

func TestRefreshRotationAndReuseRevokesFamily(t *testing.T) {
	t.Parallel()
	e := start(t)
	s := e.signUp(t, "rotate@example.com")
	r1, err := refresh(e, s.GetRefreshToken())
	if err != nil {
		t.Fatal(err)
	}
	if r1.GetRefreshToken() == s.GetRefreshToken() || r1.GetAccessToken() == "" {
		t.Fatalf("refresh = %v", r1)
	}
	if _, err := e.client.GetMe(as(r1.GetAccessToken()), &identityv1.GetMeRequest{}); err != nil {
		t.Fatal(err)
	}
	r2, err := refresh(e, r1.GetRefreshToken())
	if err != nil {
		t.Fatal(err)
	}
	// An unrelated session of the same user survives the reuse below.
	other := e.login(t, "rotate@example.com", "correct-horse-7")

	// The first token, rotated twice ago, comes back: someone copied it.
	_, err = refresh(e, s.GetRefreshToken())
	if code(err) != codes.Unauthenticated || reason(err) != "REFRESH_TOKEN_REUSED" {
		t.Fatalf("reuse = %v", err)
	}
	// The whole family is revoked, including the newest token.
	if _, err := refresh(e, r2.GetRefreshToken()); code(err) != codes.Unauthenticated {
		t.Fatalf("newest token of a revoked family = %v", err)
	}
	if _, err := refresh(e, r1.GetRefreshToken()); reason(err) != "REFRESH_TOKEN_REUSED" {
		t.Fatalf("middle token = %v", err)
	}
	if _, err := refresh(e, other.GetRefreshToken()); err != nil {
		t.Fatalf("other session: %v", err)
	}
	if _, err := refresh(e, "never-issued"); reason(err) != "REFRESH_TOKEN_INVALID" {
		t.Fatalf("unknown token = %v", err)
	}
}

func TestConcurrentRefreshYieldsOneToken(t *testing.T) {
	t.Parallel()
	e := start(t)
	s := e.signUp(t, "race@example.com")
	const n = 20
	var wg sync.WaitGroup
	var mu sync.Mutex
	var ok []string
	start := make(chan struct{})
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			r, err := refresh(e, s.GetRefreshToken())
			if err == nil {
				mu.Lock()
				ok = append(ok, r.GetRefreshToken())
				mu.Unlock()
			} else if code(err) != codes.Unauthenticated {
				t.Errorf("refresh: %v", err)
			}
		}()
	}
	close(start)
	wg.Wait()
	if len(ok) != 1 {
		t.Fatalf("%d refreshes succeeded, want exactly 1", len(ok))
	}
}

func TestLogoutAndLogoutAll(t *testing.T) {
	t.Parallel()
	e := start(t)
	a := e.signUp(t, "out@example.com")
	b := e.login(t, "out@example.com", "correct-horse-7")
	c := e.login(t, "out@example.com", "correct-horse-7")
	if _, err := e.client.Logout(context.Background(), &identityv1.LogoutRequest{RefreshToken: a.GetRefreshToken()}); err != nil {
		t.Fatal(err)
	}
	if _, err := refresh(e, a.GetRefreshToken()); reason(err) != "REFRESH_TOKEN_INVALID" {
		t.Fatalf("refresh after logout = %v", err)
	}
	if _, err := refresh(e, b.GetRefreshToken()); err != nil {
		t.Fatalf("other session after logout: %v", err)
	}
	resp, err := e.client.LogoutAll(as(c.GetAccessToken()), &identityv1.LogoutAllRequest{})
	if err != nil || resp.GetRevoked() != 2 {
		t.Fatalf("LogoutAll = %v, %v; want 2 revoked", resp, err)
	}
	if _, err := refresh(e, c.GetRefreshToken()); code(err) != codes.Unauthenticated {
		t.Fatalf("refresh after logout-all = %v", err)
	}
	if _, err := e.client.LogoutAll(context.Background(), &identityv1.LogoutAllRequest{}); code(err) != codes.Unauthenticated {
		t.Fatalf("LogoutAll without token = %v", err)
	}
}

// TestAccessTokens checks that GetMe, an authenticated RPC, accepts only
// tokens identity signed, unaltered and unexpired. Identity runs with a key
// file here so the test can sign with the same key.
func TestAccessTokens(t *testing.T) {
	t.Parallel()
	key, err := token.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	pem, err := token.EncodePrivateKeyPEM(key)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "signing.pem")
	if err := os.WriteFile(file, pem, 0o600); err != nil {
		t.Fatal(err)
	}
	e := start(t, func(c *identity.Config) { c.SigningKeyFile = file })
	s := e.signUp(t, "tokens@example.com")
	userID := s.GetUser().GetId()

	jwks, err := e.client.GetJwks(context.Background(), &identityv1.GetJwksRequest{})
	if err != nil || jwks.GetKeys()[0].GetKid() != key.ID {
		t.Fatalf("jwks = %v, %v; want kid %s from the key file", jwks, err, key.ID)
	}
	header := strings.Split(s.GetAccessToken(), ".")[0]
	if h, _ := base64.RawURLEncoding.DecodeString(header); !strings.Contains(string(h), `"kid":"`+key.ID+`"`) {
		t.Fatalf("header = %s", h)
	}

	sign := func(k ed25519.PrivateKey, kid string, c token.Claims) string {
		tok := jwt.NewWithClaims(jwt.SigningMethodEdDSA, c)
		tok.Header["kid"] = kid
		out, err := tok.SignedString(k)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	now := time.Now()
	claims := token.Claims{Issuer: token.Issuer, Subject: userID, Roles: []string{"customer"}, IssuedAt: now.Unix(), ExpiresAt: now.Add(time.Hour).Unix(), ID: "x"}
	expired := claims
	expired.IssuedAt, expired.ExpiresAt = now.Add(-2*time.Hour).Unix(), now.Add(-time.Hour).Unix()
	other, _ := token.GenerateKey()
	b64 := base64.RawURLEncoding.EncodeToString
	parts := strings.Split(s.GetAccessToken(), ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	tampered := parts[0] + "." + b64([]byte(strings.Replace(string(payload), `"roles":["customer"]`, `"roles":["customer","admin"]`, 1))) + "." + parts[2]
	none := b64([]byte(`{"alg":"none","typ":"JWT","kid":"`+key.ID+`"}`)) + "." + parts[1] + "."

	tests := []struct {
		name  string
		token string
		want  codes.Code
	}{
		{"issued by login", s.GetAccessToken(), codes.OK},
		{"signed with the same key by the test", sign(key.Private, key.ID, claims), codes.OK},
		{"signed by another key under identity's kid", sign(other.Private, key.ID, claims), codes.Unauthenticated},
		{"signed by another key under its own kid", sign(other.Private, other.ID, claims), codes.Unauthenticated},
		{"alg none", none, codes.Unauthenticated},
		{"expired", sign(key.Private, key.ID, expired), codes.Unauthenticated},
		{"tampered roles claim", tampered, codes.Unauthenticated},
		{"garbage", "a.b.c", codes.Unauthenticated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.client.GetMe(as(tt.token), &identityv1.GetMeRequest{})
			if code(err) != tt.want {
				t.Fatalf("GetMe = %v, want %v", err, tt.want)
			}
		})
	}
	if !strings.Contains(string(payload), `"roles":["customer"]`) {
		t.Fatalf("payload %s has no customer roles claim to tamper with", payload)
	}
	// Expired tokens name the reason, so clients know to refresh.
	_, err = e.client.GetMe(as(sign(key.Private, key.ID, expired)), &identityv1.GetMeRequest{})
	if reason(err) != "TOKEN_EXPIRED" {
		t.Fatalf("expired reason = %q", reason(err))
	}
}
