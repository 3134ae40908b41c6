package auth

import (
	"crypto/sha256"
	"slices"
	"sync"
	"time"
)

// Verified tokens are remembered for a while, so a request that crosses
// several services (a checkout: gateway, order, cart, catalog, payment) and
// a client sending the same token again pay for one Ed25519 verification,
// not one per hop. An entry is found by the SHA-256 of the whole token, so a
// token that differs in any byte (a tampered signature or claim) never finds
// another's entry and is verified in full. An entry is kept until the
// token's exp (without the parser's leeway) or VerifiedTTL, whichever is
// first: an expired token is never accepted from it, and a key that identity
// withdraws stops vouching for its tokens within VerifiedTTL, well inside the
// KeyCache's own refresh period. Access tokens are never revoked before
// their exp (signing out revokes refresh tokens), so remembering a verdict
// changes no one's access. Failures are not remembered.
const (
	// VerifiedTTL is the longest a verified token is remembered.
	VerifiedTTL = time.Minute
	// VerifiedMax bounds the remembered tokens (~200 bytes each).
	VerifiedMax = 10_000
)

type verifiedEntry struct {
	p     Principal
	until time.Time
}

// verifiedCache maps a token's SHA-256 to its verified caller.
type verifiedCache struct {
	ttl time.Duration
	max int

	mu      sync.RWMutex
	entries map[[sha256.Size]byte]verifiedEntry
}

func newVerifiedCache(ttl time.Duration, max int) *verifiedCache {
	return &verifiedCache{ttl: ttl, max: max, entries: make(map[[sha256.Size]byte]verifiedEntry)}
}

// get returns the caller a token was verified as, if that is remembered and
// still good at now.
func (c *verifiedCache) get(sum [sha256.Size]byte, now time.Time) (Principal, bool) {
	if c.max <= 0 {
		return Principal{}, false
	}
	c.mu.RLock()
	e, ok := c.entries[sum]
	c.mu.RUnlock()
	if !ok || !now.Before(e.until) {
		return Principal{}, false
	}
	return e.p.clone(), true
}

// put remembers p for a token verified at now that expires at exp.
func (c *verifiedCache) put(sum [sha256.Size]byte, p Principal, now, exp time.Time) {
	until := now.Add(c.ttl)
	if exp.Before(until) {
		until = exp
	}
	if c.max <= 0 || !now.Before(until) {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= c.max {
		c.evict(now)
	}
	c.entries[sum] = verifiedEntry{p: p.clone(), until: until}
}

// evict drops the entries no longer good at now and, when that frees less
// than a tenth of the cache, arbitrary others (map order) until it does.
func (c *verifiedCache) evict(now time.Time) {
	for k, e := range c.entries {
		if !now.Before(e.until) {
			delete(c.entries, k)
		}
	}
	for k := range c.entries {
		if len(c.entries) < c.max-c.max/10 {
			break
		}
		delete(c.entries, k)
	}
}

func (c *verifiedCache) len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.entries)
}

// clone copies p's slices, so no caller can change a remembered caller.
func (p Principal) clone() Principal {
	p.Roles = slices.Clone(p.Roles)
	p.Audience = slices.Clone(p.Audience)
	return p
}
