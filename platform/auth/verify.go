package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/jangteo/jangteo/platform/errs"
)

// Issuer is the iss claim of every access token identity signs.
const Issuer = "jangteo-identity"

// Errors a bad token produces; all are 401s.
var (
	ErrNoToken      = errs.New(errs.Unauthenticated, "TOKEN_MISSING", "this call needs an access token: send Authorization: Bearer <token>")
	ErrTokenExpired = errs.New(errs.Unauthenticated, "TOKEN_EXPIRED", "the access token has expired: refresh it")
	ErrTokenInvalid = errs.New(errs.Unauthenticated, "TOKEN_INVALID", "the access token is not valid")
	ErrForbidden    = errs.New(errs.PermissionDenied, "ROLE_REQUIRED", "your account may not call this")
)

// Claims are the claims of a Jangteo access token.
type Claims struct {
	Roles []string `json:"roles"`
	jwt.RegisteredClaims
}

// Verifier checks access tokens against the published keys.
type Verifier struct {
	keys   *KeyCache
	now    func() time.Time
	parser *jwt.Parser
}

// NewVerifier returns a verifier using keys.
func NewVerifier(keys *KeyCache) *Verifier {
	v := &Verifier{keys: keys, now: time.Now}
	v.parser = jwt.NewParser(
		jwt.WithValidMethods([]string{"EdDSA"}), // refuses "none", HMAC and RSA confusion
		jwt.WithIssuer(Issuer),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(30*time.Second),
		jwt.WithTimeFunc(func() time.Time { return v.now() }),
	)
	return v
}

// Verify checks token and returns the caller it names.
func (v *Verifier) Verify(ctx context.Context, token string) (Principal, error) {
	var claims Claims
	_, err := v.parser.ParseWithClaims(token, &claims, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		if kid == "" {
			return nil, errors.New("token has no kid")
		}
		return v.keys.Key(ctx, kid)
	})
	switch {
	case err == nil:
	case errors.Is(err, jwt.ErrTokenExpired):
		return Principal{}, ErrTokenExpired
	case errors.Is(err, ErrKeysUnavailable):
		return Principal{}, ErrKeysUnavailable.After(time.Second)
	default:
		return Principal{}, fmt.Errorf("%w: %w", ErrTokenInvalid, err)
	}
	if claims.Subject == "" {
		return Principal{}, ErrTokenInvalid
	}
	return Principal{UserID: claims.Subject, Roles: claims.Roles, TokenID: claims.ID}, nil
}
