package testkit

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/jangteo/jangteo/platform/auth"
	"github.com/jangteo/jangteo/platform/grpcclient"
)

// Issuer signs access tokens the way identity does, with its own key.
type Issuer struct {
	Kid  string
	priv ed25519.PrivateKey
	pub  ed25519.PublicKey
}

// NewIssuer returns an issuer with a fresh Ed25519 key.
func NewIssuer() *Issuer {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	return &Issuer{Kid: uuid.NewString()[:8], priv: priv, pub: pub}
}

// JWKS returns the issuer's key set document.
func (i *Issuer) JWKS() []byte {
	b, _ := json.Marshal(map[string][]auth.JWK{"keys": {{
		Kty: "OKP", Crv: "Ed25519", X: base64.RawURLEncoding.EncodeToString(i.pub), Kid: i.Kid, Alg: "EdDSA", Use: "sig",
	}}})
	return b
}

// Fetch serves the key set to a KeyCache without HTTP.
func (i *Issuer) Fetch() auth.FetchFunc {
	return func(context.Context) ([]byte, error) { return i.JWKS(), nil }
}

// Server serves the key set over HTTP at /.well-known/jwks.json for tb.
func (i *Issuer) Server(tb testing.TB) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(i.JWKS())
	}))
	tb.Cleanup(srv.Close)
	return srv
}

// Token signs a token for userID with roles, valid for an hour.
func (i *Issuer) Token(userID string, roles ...string) string {
	return i.Sign(i.Claims(userID, time.Hour, roles...))
}

// Claims builds standard claims that tests may alter before signing.
func (i *Issuer) Claims(userID string, ttl time.Duration, roles ...string) auth.Claims {
	now := time.Now()
	return auth.Claims{
		Roles: roles,
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    auth.Issuer,
			Subject:   userID,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
			ID:        uuid.NewString(),
		},
	}
}

// Sign signs claims with the issuer's key.
func (i *Issuer) Sign(c auth.Claims) string {
	t := jwt.NewWithClaims(jwt.SigningMethodEdDSA, c)
	t.Header["kid"] = i.Kid
	s, err := t.SignedString(i.priv)
	if err != nil {
		panic(err)
	}
	return s
}

// ServiceTokenTTL is the lifetime of the service tokens Issuer signs, as
// identity's.
const ServiceTokenTTL = 5 * time.Minute

// ServiceToken signs a token for the service named name to call audience's
// ACCESS_INTERNAL RPCs, as identity's IssueServiceToken does.
func (i *Issuer) ServiceToken(name, audience string) string {
	c := i.Claims(auth.ServiceSubject(name), ServiceTokenTTL)
	c.Audience = jwt.ClaimStrings{audience}
	return i.Sign(c)
}

// Tokens is the identity of the service named name, signed by the issuer:
// pass it as service.Options.Tokens so a service under test calls other
// services (which trust the issuer's keys) as it would in production.
func (i *Issuer) Tokens(name string) grpcclient.TokenSource {
	return grpcclient.TokenFunc(func(_ context.Context, audience string) (grpcclient.Token, error) {
		return grpcclient.Token{Value: i.ServiceToken(name, audience), Expiry: time.Now().Add(ServiceTokenTTL)}, nil
	})
}
