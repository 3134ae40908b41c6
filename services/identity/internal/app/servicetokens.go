package app

import (
	"context"
	"errors"
	"time"

	"github.com/jangteo/jangteo/services/identity/internal/domain"
	"github.com/jangteo/jangteo/services/identity/internal/token"
)

// ServiceTokens issues the short-lived tokens services call each other's
// ACCESS_INTERNAL RPCs with: the OAuth 2.0 client credentials grant.
type ServiceTokens struct {
	clients domain.ServiceClients
	signer  *token.Signer
	ttl     time.Duration
	now     func() time.Time
}

// ServiceToken is an issued token and its lifetime.
type ServiceToken struct {
	Token     string
	ExpiresIn time.Duration
}

// NewServiceTokens returns the grant for clients, signing with keys; tokens
// live for ttl.
func NewServiceTokens(clients domain.ServiceClients, keys *token.KeySet, ttl time.Duration) (*ServiceTokens, error) {
	if keys == nil || ttl < time.Second {
		return nil, errors.New("app: service tokens need keys and a ttl of at least a second")
	}
	return &ServiceTokens{clients: clients, signer: token.NewSigner(keys), ttl: ttl, now: time.Now}, nil
}

// Issue checks client's secret and signs a token for it to call audience.
func (s *ServiceTokens) Issue(_ context.Context, client, secret, audience string) (ServiceToken, error) {
	if err := s.clients.Authenticate(client, secret); err != nil {
		return ServiceToken{}, err
	}
	return s.Mint(client, audience)
}

// Mint signs a token for client without a secret: identity's own, which it
// holds the key for anyway.
func (s *ServiceTokens) Mint(client, audience string) (ServiceToken, error) {
	tok, err := s.signer.SignService(client, audience, s.ttl, s.now())
	if err != nil {
		return ServiceToken{}, err
	}
	return ServiceToken{Token: tok, ExpiresIn: s.ttl}, nil
}
