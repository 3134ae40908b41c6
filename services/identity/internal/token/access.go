package token

import (
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

// Issuer is the "iss" of every access token; verifiers must require it.
const Issuer = "jangteo-identity"

// Claims is the payload of an access token. Its JSON is exactly
//
//	{"iss":"jangteo-identity","sub":"<user uuid>","roles":["customer"],"iat":<unix>,"exp":<unix>,"jti":"<uuid>"}
//
// Plain int64 seconds (not jwt.NumericDate) keep the wire form free of
// fractional seconds whatever jwt.TimePrecision is set to.
type Claims struct {
	// Issuer is always Issuer.
	Issuer string `json:"iss"`
	// Subject is the user's UUID.
	Subject string `json:"sub"`
	// Roles are the user's roles (customer, staff, admin); never null.
	Roles []string `json:"roles"`
	// IssuedAt is the signing time in Unix seconds.
	IssuedAt int64 `json:"iat"`
	// ExpiresAt is the expiry in Unix seconds.
	ExpiresAt int64 `json:"exp"`
	// ID is a random UUID naming this token, for logs and deny lists.
	ID string `json:"jti"`
}

var _ jwt.Claims = Claims{}

// GetExpirationTime implements jwt.Claims.
func (c Claims) GetExpirationTime() (*jwt.NumericDate, error) {
	return jwt.NewNumericDate(time.Unix(c.ExpiresAt, 0)), nil
}

// GetIssuedAt implements jwt.Claims.
func (c Claims) GetIssuedAt() (*jwt.NumericDate, error) {
	return jwt.NewNumericDate(time.Unix(c.IssuedAt, 0)), nil
}

// GetNotBefore implements jwt.Claims; access tokens carry no "nbf".
func (c Claims) GetNotBefore() (*jwt.NumericDate, error) { return nil, nil }

// GetIssuer implements jwt.Claims.
func (c Claims) GetIssuer() (string, error) { return c.Issuer, nil }

// GetSubject implements jwt.Claims.
func (c Claims) GetSubject() (string, error) { return c.Subject, nil }

// GetAudience implements jwt.Claims; access tokens carry no "aud" because
// every Jangteo service accepts them.
func (c Claims) GetAudience() (jwt.ClaimStrings, error) { return nil, nil }

// Signer issues access tokens with the active key of a KeySet.
// It is safe for concurrent use.
type Signer struct {
	keys *KeySet
}

// NewSigner returns a Signer that signs with keys.Active().
func NewSigner(keys *KeySet) *Signer {
	return &Signer{keys: keys}
}

// Sign issues an access token for userID with roles, valid from now for
// ttl. now is a parameter so callers share one clock (and tests a fixed one).
// The header carries the active key's "kid" so verifiers pick the right key
// from the JWKS across rotations.
func (s *Signer) Sign(userID string, roles []string, ttl time.Duration, now time.Time) (string, error) {
	// The subject is checked here because a token for a malformed id would
	// verify everywhere and then match no user.
	if err := uuid.Validate(userID); err != nil {
		return "", fmt.Errorf("token: subject %q is not a UUID: %w", userID, err)
	}
	if ttl < time.Second {
		return "", errors.New("token: ttl must be at least one second")
	}
	jti, err := uuid.NewRandom()
	if err != nil {
		return "", fmt.Errorf("token: new jti: %w", err)
	}
	claims := Claims{
		Issuer:    Issuer,
		Subject:   userID,
		Roles:     append(make([]string, 0, len(roles)), roles...),
		IssuedAt:  now.Unix(),
		ExpiresAt: now.Add(ttl).Unix(),
		ID:        jti.String(),
	}
	return s.sign(claims)
}

// sign signs claims with the active key, naming it in the "kid" header.
func (s *Signer) sign(claims jwt.Claims) (string, error) {
	key := s.keys.Active()
	t := jwt.NewWithClaims(jwt.SigningMethodEdDSA, claims)
	t.Header["kid"] = key.ID
	signed, err := t.SignedString(key.Private)
	if err != nil {
		return "", fmt.Errorf("token: sign: %w", err)
	}
	return signed, nil
}
