package auth

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"sync/atomic"
	"testing"
	"time"
)

// A slow identity holds up nobody who has a cached key: the refresh runs
// outside the lock, and the stale key is served meanwhile.
func TestKeyCacheRefreshesOutsideTheLock(t *testing.T) {
	t.Parallel()
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	set := fmt.Sprintf(`{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"k1","x":%q}]}`, base64.RawURLEncoding.EncodeToString(pub))
	release := make(chan struct{})
	var calls atomic.Int32
	c := NewKeyCache(func(ctx context.Context) ([]byte, error) {
		if calls.Add(1) > 1 {
			<-release // identity hangs
		}
		return []byte(set), nil
	})
	defer close(release)
	if _, err := c.Key(context.Background(), "k1"); err != nil {
		t.Fatal(err)
	}
	c.mu.Lock()
	c.fetched = time.Now().Add(-time.Hour) // stale: the next call refreshes
	c.tried = c.fetched
	c.mu.Unlock()
	for range 20 {
		start := time.Now()
		if _, err := c.Key(context.Background(), "k1"); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d > 50*time.Millisecond {
			t.Fatalf("a cached key took %s while identity hung", d)
		}
	}
	for deadline := time.Now().Add(time.Second); calls.Load() < 2 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	if n := calls.Load(); n != 2 {
		t.Fatalf("fetches = %d, want 2 (one refresh in flight at a time)", n)
	}
}
