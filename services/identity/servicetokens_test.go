package identity_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"

	identityv1 "github.com/jangteo/jangteo/gen/go/jangteo/identity/v1"
	"github.com/jangteo/jangteo/platform/service"
	"github.com/jangteo/jangteo/services/identity"
)

// gatewaySecret is the gateway's client secret in these tests; start
// registers it (hashed) and the cart's (in clear) in SERVICE_CLIENTS.
const (
	gatewaySecret = "gateway-secret-0123456789-abcdefghij"
	cartSecret    = "cart-secret-0123456789-abcdefghijklmn"
)

func withServiceClients(cfg *identity.Config) {
	cfg.ServiceClients = map[string]string{"gateway": identity.HashClientSecret(gatewaySecret), "cart": cartSecret}
}

// serviceToken gets a token for client to call audience, as a service does.
func (e env) serviceToken(t *testing.T, client, secret, audience string) string {
	t.Helper()
	resp, err := e.client.IssueServiceToken(context.Background(), &identityv1.IssueServiceTokenRequest{
		ClientId: client, ClientSecret: secret, Audience: audience,
	})
	if err != nil {
		t.Fatalf("IssueServiceToken(%s → %s): %v", client, audience, err)
	}
	return resp.GetAccessToken()
}

// gateway is the context of the gateway calling identity's internal RPCs.
func (e env) gateway(t *testing.T) context.Context {
	return as(e.serviceToken(t, "gateway", gatewaySecret, identity.Name))
}

func TestIssueServiceToken(t *testing.T) {
	t.Parallel()
	e := start(t)

	before := time.Now().Unix()
	resp, err := e.client.IssueServiceToken(context.Background(), &identityv1.IssueServiceTokenRequest{
		ClientId: "gateway", ClientSecret: gatewaySecret, Audience: "catalog",
	})
	if err != nil {
		t.Fatal(err)
	}
	if resp.GetTokenType() != "Bearer" || resp.GetExpiresIn() != 300 {
		t.Fatalf("response = %v, want a Bearer token for 300 s", resp)
	}
	claims := jwtClaims(t, resp.GetAccessToken())
	if claims["iss"] != "jangteo-identity" || claims["sub"] != "service:gateway" || claims["aud"] != "catalog" ||
		len(claims["roles"].([]any)) != 0 || int64(claims["exp"].(float64)) < before+300 {
		t.Fatalf("claims = %v", claims)
	}
	// A secret given in clear in SERVICE_CLIENTS works the same.
	e.serviceToken(t, "cart", cartSecret, "catalog")

	for _, tt := range []struct {
		name                     string
		client, secret, audience string
		code                     codes.Code
		field                    string
	}{
		{"wrong secret", "gateway", cartSecret, "catalog", codes.Unauthenticated, ""},
		{"unknown client", "order", gatewaySecret, "catalog", codes.Unauthenticated, ""},
		{"no secret", "gateway", "", "catalog", codes.InvalidArgument, "client_secret"},
		{"bad audience", "gateway", gatewaySecret, "Catalog Service", codes.InvalidArgument, "audience"},
	} {
		_, err := e.client.IssueServiceToken(context.Background(), &identityv1.IssueServiceTokenRequest{
			ClientId: tt.client, ClientSecret: tt.secret, Audience: tt.audience,
		})
		if code(err) != tt.code || (tt.field != "" && !hasField(err, tt.field)) {
			t.Errorf("%s: err = %v, want %v naming %q", tt.name, err, tt.code, tt.field)
		}
		if tt.code == codes.Unauthenticated && reason(err) != "CLIENT_INVALID" {
			t.Errorf("%s: reason = %q, want CLIENT_INVALID", tt.name, reason(err))
		}
	}
}

// TestInternalRPCsTakeOnlyServiceTokens: identity's honeypot RPCs refuse
// anonymous callers and users, and a service token issued for another
// service; the gateway's token for identity passes.
func TestInternalRPCsTakeOnlyServiceTokens(t *testing.T) {
	t.Parallel()
	e := start(t)
	admin := as(e.login(t, adminEmail, adminPassword).GetAccessToken())
	customer := as(e.signUp(t, "curious@example.com").GetAccessToken())
	forCatalog := as(e.serviceToken(t, "gateway", gatewaySecret, "catalog"))
	for _, tt := range []struct {
		name string
		ctx  context.Context
		code codes.Code
	}{
		{"anonymous", context.Background(), codes.Unauthenticated},
		{"customer", customer, codes.PermissionDenied},
		{"admin", admin, codes.PermissionDenied},
		{"service token for catalog", forCatalog, codes.PermissionDenied},
		{"gateway", e.gateway(t), codes.OK},
	} {
		_, err := e.client.ListBlockedIps(tt.ctx, &identityv1.ListBlockedIpsRequest{})
		if code(err) != tt.code {
			t.Errorf("ListBlockedIps as %s = %v, want %v", tt.name, err, tt.code)
		}
		_, err = e.client.RecordHoneypotAttempt(tt.ctx, &identityv1.RecordHoneypotAttemptRequest{Ip: "192.0.2.1"})
		if code(err) != tt.code {
			t.Errorf("RecordHoneypotAttempt as %s = %v, want %v", tt.name, err, tt.code)
		}
	}
	// A service token is not a user: it cannot read a profile.
	if _, err := e.client.GetMe(e.gateway(t), &identityv1.GetMeRequest{}); code(err) != codes.PermissionDenied {
		t.Errorf("GetMe with a service token = %v, want PermissionDenied", err)
	}
}

// TestServiceClientsAreChecked: a malformed SERVICE_CLIENTS stops identity
// from starting rather than locking services out later.
func TestServiceClientsAreChecked(t *testing.T) {
	t.Parallel()
	for _, clients := range []map[string]string{
		{"cart": "short"},
		{"cart": "sha256:abcd"},
		{"Cart Service": cartSecret},
	} {
		cfg := identity.DefaultConfig()
		cfg.ServiceClients = clients
		if _, err := identity.New(t.Context(), cfg, nil, service.Options{}); err == nil || !strings.Contains(err.Error(), "SERVICE_CLIENTS") {
			t.Errorf("SERVICE_CLIENTS %v: err = %v, want it named", clients, err)
		}
	}
}

func jwtClaims(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", token)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(raw, &claims); err != nil {
		t.Fatal(err)
	}
	return claims
}
