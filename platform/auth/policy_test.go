package auth_test

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"google.golang.org/grpc/metadata"

	// The services whose declared policies the test checks.
	_ "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
	_ "github.com/jangteo/jangteo/gen/go/jangteo/identity/v1"
	"github.com/jangteo/jangteo/platform/auth"
	"github.com/jangteo/jangteo/platform/testkit"
)

const (
	createProduct = "/jangteo.catalog.v1.CatalogService/CreateProduct" // staff
	getProduct    = "/jangteo.catalog.v1.CatalogService/GetProduct"    // public
	getMe         = "/jangteo.identity.v1.IdentityService/GetMe"       // authenticated
	healthCheck   = "/grpc.health.v1.Health/Check"
	reserveStock  = "/jangteo.catalog.v1.CatalogService/ReserveStock" // internal
)

func withToken(token string) context.Context {
	return metadata.NewIncomingContext(context.Background(), metadata.Pairs("authorization", "Bearer "+token))
}

func TestPolicy(t *testing.T) {
	t.Parallel()
	iss := testkit.NewIssuer()
	other := testkit.NewIssuer()
	other.Kid = iss.Kid // same kid, different key: a forged signature
	policy := auth.NewPolicy(auth.NewVerifier(auth.NewKeyCache(iss.Fetch())), auth.ForService("catalog"))

	expired := iss.Claims("u1", -time.Hour, "staff")
	expired.IssuedAt = jwt.NewNumericDate(time.Now().Add(-2 * time.Hour))
	wrongIssuer := iss.Claims("u1", time.Hour, "staff")
	wrongIssuer.Issuer = "someone-else"
	staff := iss.Token("u1", "staff")
	parts := strings.Split(staff, ".")
	tampered := parts[0] + "." + jwtPayload(t, `{"iss":"jangteo-identity","sub":"u1","roles":["admin"],"exp":9999999999,"iat":1}`) + "." + parts[2]
	none := jwtPayload(t, `{"alg":"none","typ":"JWT","kid":"`+iss.Kid+`"}`) + "." + jwtPayload(t, `{"iss":"jangteo-identity","sub":"u1","roles":["admin"],"exp":9999999999,"iat":1}`) + "."
	hs := jwt.NewWithClaims(jwt.SigningMethodHS256, iss.Claims("u1", time.Hour, "admin"))
	hs.Header["kid"] = iss.Kid
	hmac, _ := hs.SignedString([]byte("secret"))

	tests := []struct {
		name   string
		ctx    context.Context
		method string
		want   error
	}{
		{"public without token", context.Background(), getProduct, nil},
		{"health without token", context.Background(), healthCheck, nil},
		{"internal without token", context.Background(), reserveStock, auth.ErrNoToken},
		{"internal with a bad token", withToken("not.a.jwt"), reserveStock, auth.ErrTokenInvalid},
		{"staff call without token", context.Background(), createProduct, auth.ErrNoToken},
		{"authenticated call without token", context.Background(), getMe, auth.ErrNoToken},
		{"malformed header", metadata.NewIncomingContext(context.Background(), metadata.Pairs("authorization", "Basic abc")), getMe, auth.ErrNoToken},
		{"customer on staff call", withToken(iss.Token("u1", "customer")), createProduct, auth.ErrForbidden},
		{"staff on staff call", withToken(staff), createProduct, nil},
		{"admin on staff call", withToken(iss.Token("u1", "admin")), createProduct, nil},
		{"customer on authenticated call", withToken(iss.Token("u1", "customer")), getMe, nil},
		{"expired token", withToken(iss.Sign(expired)), getMe, auth.ErrTokenExpired},
		{"expired token on public call", withToken(iss.Sign(expired)), getProduct, auth.ErrTokenExpired},
		{"signed by another key", withToken(other.Token("u1", "staff")), createProduct, auth.ErrTokenInvalid},
		{"unknown kid", withToken(testkit.NewIssuer().Token("u1", "staff")), createProduct, auth.ErrTokenInvalid},
		{"alg none", withToken(none), createProduct, auth.ErrTokenInvalid},
		{"hmac with public key confusion", withToken(hmac), createProduct, auth.ErrTokenInvalid},
		{"tampered claim", withToken(tampered), createProduct, auth.ErrTokenInvalid},
		{"wrong issuer", withToken(iss.Sign(wrongIssuer)), getMe, auth.ErrTokenInvalid},
		{"garbage", withToken("not.a.jwt"), getMe, auth.ErrTokenInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, err := policy.Authorize(tt.ctx, tt.method)
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Fatalf("Authorize() error = %v, want %v", err, tt.want)
			}
			if tt.want == nil && strings.HasPrefix(tt.method, "/jangteo") && tt.ctx != context.Background() {
				if p, ok := auth.FromContext(ctx); !ok || p.UserID != "u1" {
					t.Fatalf("principal = %+v, %v; want u1", p, ok)
				}
			}
		})
	}
}

func TestAccessOfUnknownMethodFailsClosed(t *testing.T) {
	t.Parallel()
	if _, err := auth.AccessOf("/jangteo.catalog.v1.CatalogService/NoSuchMethod"); err == nil {
		t.Fatal("AccessOf(unknown) = nil error, want an error")
	}
}

func jwtPayload(t *testing.T, s string) string {
	t.Helper()
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}
