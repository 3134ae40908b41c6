package auth

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/jangteo/jangteo/platform/errs"
)

// FetchFunc returns a JSON Web Key Set document (RFC 7517).
type FetchFunc func(ctx context.Context) ([]byte, error)

// HTTPFetch fetches the key set from url, e.g. identity's
// /.well-known/jwks.json published through the gateway.
func HTTPFetch(url string, client *http.Client) FetchFunc {
	if client == nil {
		client = &http.Client{Timeout: 5 * time.Second}
	}
	return func(ctx context.Context) ([]byte, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return nil, err
		}
		resp, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("jwks: %s answered %s", url, resp.Status)
		}
		return io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	}
}

// KeyCache keeps the verification keys in memory. It refreshes them every TTL,
// and early when a token names an unknown kid (a rotated key), but at most once
// per MinRefresh so a flood of forged kids cannot hammer identity.
type KeyCache struct {
	fetch      FetchFunc
	ttl        time.Duration
	minRefresh time.Duration

	mu      sync.Mutex
	keys    map[string]ed25519.PublicKey
	fetched time.Time
	tried   time.Time
}

// NewKeyCache returns a cache over fetch with a 5 minute TTL.
func NewKeyCache(fetch FetchFunc) *KeyCache {
	return &KeyCache{fetch: fetch, ttl: 5 * time.Minute, minRefresh: 10 * time.Second}
}

// ErrUnknownKey means no published key has the token's kid.
var ErrUnknownKey = errors.New("jwks: unknown key id")

// ErrKeysUnavailable means the key set could not be fetched and no cached key
// fits: the caller's token may well be good, so this is a 503, never a 401.
var ErrKeysUnavailable = errs.New(errs.Unavailable, "KEYS_UNAVAILABLE", "token keys are unavailable: try again shortly")

// Key returns the public key with the given kid.
func (c *KeyCache) Key(ctx context.Context, kid string) (ed25519.PublicKey, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	key, ok := c.keys[kid]
	stale := now.Sub(c.fetched) > c.ttl
	if ok && !stale {
		return key, nil
	}
	if now.Sub(c.tried) < c.minRefresh {
		if ok {
			return key, nil
		}
		return nil, ErrUnknownKey
	}
	c.tried = now
	keys, err := c.load(ctx)
	if err != nil {
		if ok { // keep serving the old key while identity is unreachable
			return key, nil
		}
		return nil, err
	}
	c.keys, c.fetched = keys, now
	if key, ok = keys[kid]; !ok {
		return nil, ErrUnknownKey
	}
	return key, nil
}

func (c *KeyCache) load(ctx context.Context) (map[string]ed25519.PublicKey, error) {
	raw, err := c.fetch(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKeysUnavailable, err)
	}
	keys, err := ParseJWKS(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKeysUnavailable, err)
	}
	return keys, nil
}

// JWK is the subset of RFC 7517/8037 fields Jangteo's Ed25519 keys use.
type JWK struct {
	Kty string `json:"kty"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Kid string `json:"kid"`
	Alg string `json:"alg,omitempty"`
	Use string `json:"use,omitempty"`
}

// ParseJWKS reads the Ed25519 signing keys of a key set, keyed by kid; keys of
// other types are skipped.
func ParseJWKS(raw []byte) (map[string]ed25519.PublicKey, error) {
	var set struct {
		Keys []JWK `json:"keys"`
	}
	if err := json.Unmarshal(raw, &set); err != nil {
		return nil, fmt.Errorf("jwks: decode: %w", err)
	}
	keys := make(map[string]ed25519.PublicKey, len(set.Keys))
	for _, k := range set.Keys {
		if k.Kty != "OKP" || k.Crv != "Ed25519" || (k.Use != "" && k.Use != "sig") {
			continue
		}
		x, err := base64.RawURLEncoding.DecodeString(k.X)
		if err != nil || len(x) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("jwks: key %q: bad x", k.Kid)
		}
		keys[k.Kid] = ed25519.PublicKey(x)
	}
	return keys, nil
}
