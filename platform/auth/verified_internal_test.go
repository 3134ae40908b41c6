package auth

import (
	"crypto/sha256"
	"testing"
	"time"
)

// An entry is good until the token's exp or the TTL, whichever is first.
func TestVerifiedEntryLastsUntilExpOrTTL(t *testing.T) {
	t.Parallel()
	c := newVerifiedCache(time.Minute, 100)
	now := time.Now()
	long, short := sha256.Sum256([]byte("long")), sha256.Sum256([]byte("short"))
	c.put(long, Principal{UserID: "long"}, now, now.Add(time.Hour))
	c.put(short, Principal{UserID: "short"}, now, now.Add(10*time.Second))
	if p, ok := c.get(long, now.Add(59*time.Second)); !ok || p.UserID != "long" {
		t.Fatalf("within the TTL: %+v, %v", p, ok)
	}
	if _, ok := c.get(long, now.Add(time.Minute)); ok {
		t.Fatal("found after the TTL")
	}
	if _, ok := c.get(short, now.Add(9*time.Second)); !ok {
		t.Fatal("not found before exp")
	}
	if _, ok := c.get(short, now.Add(10*time.Second)); ok {
		t.Fatal("found at exp")
	}
	c.put(sha256.Sum256([]byte("expired")), Principal{UserID: "expired"}, now, now.Add(-time.Second))
	if c.len() != 2 {
		t.Fatalf("%d entries: an expired token was remembered", c.len())
	}
}

// A full cache drops what has expired first, then arbitrary entries.
func TestVerifiedCacheEvicts(t *testing.T) {
	t.Parallel()
	c := newVerifiedCache(time.Minute, 10)
	now := time.Now()
	for i := range 10 {
		c.put(sha256.Sum256([]byte{byte(i)}), Principal{}, now, now.Add(time.Duration(i+1)*time.Second))
	}
	later := now.Add(5 * time.Second) // the first five have expired
	c.put(sha256.Sum256([]byte("new")), Principal{UserID: "new"}, later, later.Add(time.Hour))
	if c.len() != 6 {
		t.Fatalf("%d entries, want the five live ones and the new one", c.len())
	}
	for i := range 20 {
		c.put(sha256.Sum256([]byte{byte(100 + i)}), Principal{}, later, later.Add(time.Hour))
		if c.len() > 10 {
			t.Fatalf("%d entries, bound 10", c.len())
		}
	}
	off := newVerifiedCache(time.Minute, 0)
	off.put(sha256.Sum256([]byte("x")), Principal{}, now, now.Add(time.Hour))
	if _, ok := off.get(sha256.Sum256([]byte("x")), now); ok || off.len() != 0 {
		t.Fatal("a cache bounded at 0 remembered a token")
	}
}
