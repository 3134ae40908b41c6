// Package opaque makes the random bearer secrets services hand out and keep
// only a hash of: refresh tokens, one-time mail links, anonymous cart tokens.
package opaque

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
)

// size is a token's entropy: 256 bits, so guessing one is hopeless and a fast,
// unsalted hash is enough to store it.
const size = 32

// New returns a fresh token (32 random bytes, base64url without padding, 43
// characters) and its hash. Store only the hash, so a leaked database hands
// out nothing usable.
func New() (token string, hash []byte) {
	b := make([]byte, size)
	_, _ = rand.Read(b) // crypto/rand.Read never fails; it crashes on a broken source
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, Hash(token)
}

// Hash is the SHA-256 of the token's text as the client sends it: the value to
// look a token up by.
func Hash(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// WellFormed reports whether token could have come from New; anything else
// need not be looked up at all.
func WellFormed(token string) bool {
	b, err := base64.RawURLEncoding.DecodeString(token)
	return err == nil && len(b) == size
}
