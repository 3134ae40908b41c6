package token

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
)

// opaqueBytes is the entropy of a refresh token: 256 bits, so guessing one
// is hopeless and a fast, unsalted hash is enough to store it.
const opaqueBytes = 32

// NewOpaque returns a new refresh token (32 random bytes, base64url without
// padding, 43 characters) and its SHA-256 hash. Only the hash is stored, so
// a leaked database does not hand out live sessions.
func NewOpaque() (token string, hash []byte) {
	b := make([]byte, opaqueBytes)
	// crypto/rand.Read never fails; it crashes the program if the
	// system's random source is broken (Go 1.24+).
	_, _ = rand.Read(b)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashOpaque(token)
}

// HashOpaque returns the SHA-256 of the token's text as the client sends it,
// which is the value to look the token up by.
func HashOpaque(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}
