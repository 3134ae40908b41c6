package token

import (
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/jangteo/jangteo/platform/auth"
)

// ServiceClaims is the payload of a service token. Its JSON is exactly
//
//	{"iss":"jangteo-identity","sub":"service:<client>","roles":[],"iat":<unix>,"exp":<unix>,"jti":"<uuid>","aud":"<callee>"}
//
// It has no roles: a service is never a user, and platform/auth accepts such
// a token only on the ACCESS_INTERNAL RPCs of the audience.
type ServiceClaims struct {
	Claims
	// Audience is the one service the token may call.
	Audience string `json:"aud"`
}

// GetAudience implements jwt.Claims.
func (c ServiceClaims) GetAudience() (jwt.ClaimStrings, error) {
	return jwt.ClaimStrings{c.Audience}, nil
}

// SignService issues a token for the service named client to call the
// service named audience, valid from now for ttl.
func (s *Signer) SignService(client, audience string, ttl time.Duration, now time.Time) (string, error) {
	if client == "" || audience == "" {
		return "", errors.New("token: a service token needs a client and an audience")
	}
	if ttl < time.Second {
		return "", errors.New("token: ttl must be at least one second")
	}
	jti, err := uuid.NewRandom()
	if err != nil {
		return "", fmt.Errorf("token: new jti: %w", err)
	}
	return s.sign(ServiceClaims{
		Claims: Claims{
			Issuer:    Issuer,
			Subject:   auth.ServiceSubject(client),
			Roles:     []string{},
			IssuedAt:  now.Unix(),
			ExpiresAt: now.Add(ttl).Unix(),
			ID:        jti.String(),
		},
		Audience: audience,
	})
}
