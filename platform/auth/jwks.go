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

	"google.golang.org/grpc"
	"google.golang.org/protobuf/encoding/protojson"

	identityv1 "github.com/jangteo/jangteo/gen/go/jangteo/identity/v1"
	"github.com/jangteo/jangteo/platform/errs"
)

// FetchFunc returns a JSON Web Key Set document (RFC 7517).
type FetchFunc func(ctx context.Context) ([]byte, error)

// HTTPFetch fetches the key set from url, a /.well-known/jwks.json.
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

// IdentityFetch fetches the key set from identity's GetJwks RPC over conn:
// services ask identity directly, not through the gateway, so a gateway
// outage cannot stop them verifying tokens.
func IdentityFetch(conn grpc.ClientConnInterface) FetchFunc {
	client := identityv1.NewIdentityServiceClient(conn)
	return func(ctx context.Context) ([]byte, error) {
		resp, err := client.GetJwks(ctx, &identityv1.GetJwksRequest{})
		if err != nil {
			return nil, err
		}
		return protojson.MarshalOptions{UseProtoNames: true}.Marshal(resp)
	}
}

// KeyCache keeps the verification keys in memory. It refreshes them every TTL,
// and early when a token names an unknown kid (a rotated key), but at most once
// per MinRefresh so a flood of forged kids cannot hammer identity.
//
// A fetch runs outside the lock, one at a time: callers holding a known key
// are served the last good keys meanwhile, and only a caller whose kid is
// unknown waits for it. When no fetch has succeeded lately and the kid is not
// known, the token cannot be judged: that is ErrKeysUnavailable (503, retry
// shortly), never a 401 that would sign a valid user out.
type KeyCache struct {
	fetch      FetchFunc
	ttl        time.Duration
	minRefresh time.Duration // between fetches after a success
	retry      time.Duration // between fetches after a failure
	timeout    time.Duration // of one fetch

	mu       sync.Mutex
	keys     map[string]ed25519.PublicKey
	fetched  time.Time     // last success
	tried    time.Time     // last attempt
	failed   bool          // the last attempt failed
	inflight chan struct{} // closed when the running fetch ends
}

// NewKeyCache returns a cache over fetch with a 5 minute TTL.
func NewKeyCache(fetch FetchFunc) *KeyCache {
	return &KeyCache{fetch: fetch, ttl: 5 * time.Minute, minRefresh: 10 * time.Second, retry: time.Second, timeout: 5 * time.Second}
}

// ErrUnknownKey means no published key has the token's kid.
var ErrUnknownKey = errors.New("jwks: unknown key id")

// ErrKeysUnavailable means the keys could not be fetched, so a token naming a
// key not already cached cannot be checked either way.
var ErrKeysUnavailable = errs.New(errs.Unavailable, "AUTH_KEYS_UNAVAILABLE", "access tokens cannot be verified right now: retry shortly")

// Key returns the public key with the given kid.
func (c *KeyCache) Key(ctx context.Context, kid string) (ed25519.PublicKey, error) {
	waited := false
	for {
		c.mu.Lock()
		now := time.Now()
		key, known := c.keys[kid]
		if known && now.Sub(c.fetched) <= c.ttl {
			c.mu.Unlock()
			return key, nil
		}
		pause := c.minRefresh
		if c.failed {
			pause = c.retry
		}
		if c.inflight == nil && now.Sub(c.tried) >= pause && !waited {
			c.tried = now
			c.inflight = make(chan struct{})
			go c.refresh(c.inflight)
		}
		wait, failed := c.inflight, c.failed
		c.mu.Unlock()

		switch {
		case known: // stale but good: serve it while the refresh runs
			return key, nil
		case wait == nil || waited:
			if failed {
				return nil, ErrKeysUnavailable.After(c.retry)
			}
			return nil, ErrUnknownKey
		}
		select {
		case <-wait:
			waited = true
		case <-ctx.Done():
			return nil, ErrKeysUnavailable.After(c.retry)
		}
	}
}

// refresh fetches the key set with its own deadline (a cancelled request must
// not spoil it for the others) and keeps the old keys when it fails.
func (c *KeyCache) refresh(done chan struct{}) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	keys, err := c.load(ctx)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.failed = err != nil
	if err == nil {
		c.keys, c.fetched = keys, time.Now()
	}
	c.inflight = nil
	close(done)
}

func (c *KeyCache) load(ctx context.Context) (map[string]ed25519.PublicKey, error) {
	raw, err := c.fetch(ctx)
	if err != nil {
		return nil, fmt.Errorf("jwks: fetch: %w", err)
	}
	return ParseJWKS(raw)
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
