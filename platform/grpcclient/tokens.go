package grpcclient

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"

	identityv1 "github.com/jangteo/jangteo/gen/go/jangteo/identity/v1"
)

// Token is a service token and when it expires.
type Token struct {
	Value  string
	Expiry time.Time
}

// TokenSource gives the calling service's token for calling audience.
type TokenSource interface {
	Token(ctx context.Context, audience string) (Token, error)
}

// TokenFunc adapts a function to a TokenSource.
type TokenFunc func(ctx context.Context, audience string) (Token, error)

// Token implements TokenSource.
func (f TokenFunc) Token(ctx context.Context, audience string) (Token, error) {
	return f(ctx, audience)
}

// ClientCredentials gets tokens from identity's IssueServiceToken (the OAuth
// 2.0 client credentials grant) over conn, a connection to identity, as the
// service clientID holding secret. Wrap it in a TokenCache.
func ClientCredentials(conn grpc.ClientConnInterface, clientID, secret string) TokenSource {
	client := identityv1.NewIdentityServiceClient(conn)
	return TokenFunc(func(ctx context.Context, audience string) (Token, error) {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		now := time.Now()
		resp, err := client.IssueServiceToken(ctx, &identityv1.IssueServiceTokenRequest{
			ClientId: clientID, ClientSecret: secret, Audience: audience,
		})
		if err != nil {
			return Token{}, fmt.Errorf("identity: %w", err)
		}
		return Token{Value: resp.GetAccessToken(), Expiry: now.Add(time.Duration(resp.GetExpiresIn()) * time.Second)}, nil
	})
}

// TokenCache keeps one token per audience and fetches a new one from its
// source a minute before the old one expires. While one caller refreshes, the
// others keep using the old token as long as it is valid, so a slow identity
// delays nobody until the token is nearly out.
type TokenCache struct {
	src TokenSource
	now func() time.Time

	mu      sync.Mutex
	entries map[string]*cachedToken
}

type cachedToken struct {
	refreshing chan struct{} // holds one value while a caller fetches
	tok        atomic.Pointer[Token]
}

// Refresh margins: fetch a new token when the cached one has less than
// refreshBefore left; wait for the fetch only below mustRefresh.
const (
	refreshBefore = time.Minute
	mustRefresh   = 10 * time.Second
)

// NewTokenCache returns a cache over src.
func NewTokenCache(src TokenSource) *TokenCache {
	return &TokenCache{src: src, now: time.Now, entries: map[string]*cachedToken{}}
}

// Token implements TokenSource.
func (c *TokenCache) Token(ctx context.Context, audience string) (Token, error) {
	e := c.entry(audience)
	tok := e.load()
	left := tok.Expiry.Sub(c.now())
	if left > refreshBefore {
		return tok, nil
	}
	select {
	case e.refreshing <- struct{}{}:
	default:
		if left > mustRefresh {
			return tok, nil // another caller is refreshing it
		}
		select {
		case e.refreshing <- struct{}{}:
		case <-ctx.Done():
			return Token{}, ctx.Err()
		}
	}
	defer func() { <-e.refreshing }()

	tok = e.load()
	if tok.Expiry.Sub(c.now()) > refreshBefore { // refreshed while we waited
		return tok, nil
	}
	fresh, err := c.src.Token(ctx, audience)
	if err == nil && fresh.Value == "" {
		err = errors.New("empty token")
	}
	if err != nil {
		if tok.Expiry.Sub(c.now()) > mustRefresh {
			return tok, nil // keep using the old one; the next call tries again
		}
		return Token{}, err
	}
	e.tok.Store(&fresh)
	return fresh, nil
}

func (e *cachedToken) load() Token {
	if t := e.tok.Load(); t != nil {
		return *t
	}
	return Token{}
}

func (c *TokenCache) entry(audience string) *cachedToken {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[audience]
	if !ok {
		e = &cachedToken{refreshing: make(chan struct{}, 1)}
		c.entries[audience] = e
	}
	return e
}
