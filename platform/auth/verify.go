package auth

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
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

// Errors of the service identity checks on ACCESS_INTERNAL RPCs, and of a
// service token sent where a user's is expected.
var (
	// ErrServiceOnly: a user's token on an ACCESS_INTERNAL RPC.
	ErrServiceOnly = errs.New(errs.PermissionDenied, "SERVICE_ONLY", "only Jangteo's services may call this")
	// ErrWrongAudience: a service token issued for another service.
	ErrWrongAudience = errs.New(errs.PermissionDenied, "WRONG_AUDIENCE", "this service token is for another service")
	// ErrUserRequired: a service token on a user-facing RPC.
	ErrUserRequired = errs.New(errs.PermissionDenied, "USER_TOKEN_REQUIRED", "a service token cannot act as a user: send a user's access token")
)

// Claims are the claims of a Jangteo access token.
type Claims struct {
	Roles []string `json:"roles"`
	jwt.RegisteredClaims
}

// Verifier checks access tokens against the published keys.
type Verifier struct {
	keys     *KeyCache
	now      func() time.Time
	parser   *jwt.Parser
	verified *verifiedCache
}

// NewVerifier returns a verifier using keys.
func NewVerifier(keys *KeyCache) *Verifier {
	v := &Verifier{keys: keys, now: time.Now, verified: newVerifiedCache(VerifiedTTL, VerifiedMax)}
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

// Verify checks token and returns the caller it names. A token verified
// lately is answered from memory (see VerifiedTTL).
func (v *Verifier) Verify(ctx context.Context, token string) (Principal, error) {
	now := v.now()
	sum := sha256.Sum256([]byte(token))
	if p, ok := v.verified.get(sum, now); ok {
		return p, nil
	}
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
	// A service token names its service and the one it is for; "service:"
	// alone is neither a service nor a user.
	p := principalOf(claims)
	service := strings.HasPrefix(claims.Subject, ServiceSubjectPrefix)
	if claims.Subject == "" || service && (p.Service == "" || len(p.Audience) == 0) {
		return Principal{}, ErrTokenInvalid
	}
	v.verified.put(sum, p, now, claims.ExpiresAt.Time) // exp is required: the parser refused a token without it
	return p, nil
}
