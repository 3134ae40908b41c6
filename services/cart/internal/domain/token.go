package domain

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
)

// tokenBytes is the entropy of a cart token: 256 bits, unguessable.
const tokenBytes = 32

// NewCartToken returns a fresh anonymous cart token (base64url, no padding)
// and the hash that is stored in its place.
func NewCartToken() (token string, hash []byte) {
	b := make([]byte, tokenBytes)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashCartToken(token)
}

// HashCartToken is what the store keeps and looks a token up by. A token is
// random, so a plain SHA-256 suffices: there is nothing to brute-force.
func HashCartToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// WellFormedCartToken reports whether token could have come from NewCartToken;
// anything else is not looked up at all.
func WellFormedCartToken(token string) bool {
	b, err := base64.RawURLEncoding.DecodeString(token)
	return err == nil && len(b) == tokenBytes
}
