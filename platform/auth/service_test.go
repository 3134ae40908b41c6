package auth_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/jangteo/jangteo/platform/auth"
	"github.com/jangteo/jangteo/platform/errs"
	"github.com/jangteo/jangteo/platform/testkit"
)

// TestInternalRPCsTakeOnlyServiceTokens is the service identity contract of an
// ACCESS_INTERNAL RPC (catalog's ReserveStock, served by "catalog"): nobody
// anonymous, no user whatever their roles, no service token issued for
// another service; the right service's token passes and names the caller.
func TestInternalRPCsTakeOnlyServiceTokens(t *testing.T) {
	t.Parallel()
	iss := testkit.NewIssuer()
	policy := auth.NewPolicy(auth.NewVerifier(auth.NewKeyCache(iss.Fetch())), auth.ForService("catalog"))

	expired := iss.Claims(auth.ServiceSubject("order"), -time.Minute)
	expired.IssuedAt = jwt.NewNumericDate(time.Now().Add(-10 * time.Minute))
	expired.Audience = jwt.ClaimStrings{"catalog"}
	noAudience := iss.Claims(auth.ServiceSubject("order"), time.Minute)
	noName := iss.Claims(auth.ServiceSubject(""), time.Minute)
	noName.Audience = jwt.ClaimStrings{"catalog"}

	tests := []struct {
		name string
		ctx  context.Context
		want error
		kind errs.Kind
	}{
		{"anonymous", context.Background(), auth.ErrNoToken, errs.Unauthenticated},
		{"customer", withToken(iss.Token("u1", "customer")), auth.ErrServiceOnly, errs.PermissionDenied},
		{"staff", withToken(iss.Token("u1", "staff")), auth.ErrServiceOnly, errs.PermissionDenied},
		{"admin", withToken(iss.Token("u1", "customer", "staff", "admin")), auth.ErrServiceOnly, errs.PermissionDenied},
		{"service token for another service", withToken(iss.ServiceToken("order", "cart")), auth.ErrWrongAudience, errs.PermissionDenied},
		{"service token without audience", withToken(iss.Sign(noAudience)), auth.ErrTokenInvalid, errs.Unauthenticated},
		{"service token without a service", withToken(iss.Sign(noName)), auth.ErrTokenInvalid, errs.Unauthenticated},
		{"expired service token", withToken(iss.Sign(expired)), auth.ErrTokenExpired, errs.Unauthenticated},
		{"service token signed by another key", withToken(testkit.NewIssuer().ServiceToken("order", "catalog")), auth.ErrTokenInvalid, errs.Unauthenticated},
		{"the right service", withToken(iss.ServiceToken("order", "catalog")), nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, err := policy.Authorize(tt.ctx, reserveStock)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Authorize() = %v, want nil", err)
				}
				p, ok := auth.FromContext(ctx)
				if !ok || !p.IsService() || p.Service != "order" || p.UserID != "" || len(p.Roles) != 0 {
					t.Fatalf("principal = %+v, %v; want the order service", p, ok)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("Authorize() = %v, want %v", err, tt.want)
			}
			var e *errs.Error
			if !errors.As(err, &e) || e.Kind != tt.kind {
				t.Fatalf("Authorize() kind = %v, want %v", e, tt.kind)
			}
		})
	}
}

// TestServiceTokensAreNotUsers checks that a service token cannot act as a
// user anywhere else, not even on a public RPC.
func TestServiceTokensAreNotUsers(t *testing.T) {
	t.Parallel()
	iss := testkit.NewIssuer()
	policy := auth.NewPolicy(auth.NewVerifier(auth.NewKeyCache(iss.Fetch())), auth.ForService("catalog"))
	token := withToken(iss.ServiceToken("order", "catalog"))
	for _, method := range []string{getProduct, getMe, createProduct} {
		if _, err := policy.Authorize(token, method); !errors.Is(err, auth.ErrUserRequired) {
			t.Errorf("%s with a service token = %v, want ErrUserRequired", method, err)
		}
	}
	// A policy that does not know which service it guards admits no service.
	anonymous := auth.NewPolicy(auth.NewVerifier(auth.NewKeyCache(iss.Fetch())))
	if _, err := anonymous.Authorize(token, reserveStock); !errors.Is(err, auth.ErrWrongAudience) {
		t.Errorf("policy without ForService = %v, want ErrWrongAudience", err)
	}
	// Nor can a token whose subject merely looks like a service's be signed
	// by anyone but identity: the signature is checked first.
	forged := withToken(testkit.NewIssuer().ServiceToken("order", "catalog"))
	if _, err := policy.Authorize(forged, reserveStock); !errors.Is(err, auth.ErrTokenInvalid) {
		t.Errorf("forged service token = %v, want ErrTokenInvalid", err)
	}
}
