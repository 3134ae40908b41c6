// Package token issues identity's credentials: access tokens as EdDSA
// (Ed25519) JWTs that every service verifies locally against the published
// JWKS, and opaque refresh tokens that are stored only as SHA-256 hashes.
package token

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
)

// Key is an Ed25519 signing key pair with its key id.
type Key struct {
	// ID is the JWK "kid": see KeyID.
	ID string
	// Private signs tokens. It never leaves identity.
	Private ed25519.PrivateKey
	// Public verifies tokens and is published in the JWKS.
	Public ed25519.PublicKey
}

// KeyID derives the "kid" of a public key: base64url (no padding) of the
// first 8 bytes of its SHA-256. Deriving it rather than storing it means the
// same key always gets the same id, on every replica and after restarts.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return base64.RawURLEncoding.EncodeToString(sum[:8])
}

// GenerateKey creates a new random Ed25519 key pair.
func GenerateKey() (Key, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return Key{}, fmt.Errorf("token: generate key: %w", err)
	}
	return Key{ID: KeyID(pub), Private: priv, Public: pub}, nil
}

// KeyFromPrivate completes a Key from its private half.
func KeyFromPrivate(priv ed25519.PrivateKey) (Key, error) {
	if len(priv) != ed25519.PrivateKeySize {
		return Key{}, fmt.Errorf("token: ed25519 private key must be %d bytes, got %d", ed25519.PrivateKeySize, len(priv))
	}
	pub := priv.Public().(ed25519.PublicKey)
	return Key{ID: KeyID(pub), Private: priv, Public: pub}, nil
}

// PEM block types, as written by openssl for PKCS#8 and PKIX keys.
const (
	pemPrivateKey = "PRIVATE KEY"
	pemPublicKey  = "PUBLIC KEY"
)

// ErrNotEd25519 means a PEM block decoded to a key of another algorithm.
var ErrNotEd25519 = errors.New("token: key is not Ed25519")

// EncodePrivateKeyPEM encodes the private key as a PKCS#8 "PRIVATE KEY" PEM
// block, the format `openssl genpkey -algorithm ed25519` writes, so keys can
// be made with either tool and kept in a secret store.
func EncodePrivateKeyPEM(k Key) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k.Private)
	if err != nil {
		return nil, fmt.Errorf("token: marshal private key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemPrivateKey, Bytes: der}), nil
}

// DecodePrivateKeyPEM reads a PKCS#8 "PRIVATE KEY" PEM block holding an
// Ed25519 key.
func DecodePrivateKeyPEM(data []byte) (Key, error) {
	block, _ := pem.Decode(data)
	if block == nil || block.Type != pemPrivateKey {
		return Key{}, fmt.Errorf("token: no %q PEM block found", pemPrivateKey)
	}
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return Key{}, fmt.Errorf("token: parse private key: %w", err)
	}
	priv, ok := parsed.(ed25519.PrivateKey)
	if !ok {
		return Key{}, ErrNotEd25519
	}
	return KeyFromPrivate(priv)
}

// EncodePublicKeyPEM encodes a public key as a PKIX "PUBLIC KEY" PEM block.
// Retired signing keys are kept in this form: they still verify tokens
// issued before a rotation, but they can no longer sign.
func EncodePublicKeyPEM(pub ed25519.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("token: marshal public key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemPublicKey, Bytes: der}), nil
}

// DecodePublicKeyPEM reads a PKIX "PUBLIC KEY" PEM block holding an Ed25519
// key.
func DecodePublicKeyPEM(data []byte) (ed25519.PublicKey, error) {
	block, _ := pem.Decode(data)
	if block == nil || block.Type != pemPublicKey {
		return nil, fmt.Errorf("token: no %q PEM block found", pemPublicKey)
	}
	parsed, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("token: parse public key: %w", err)
	}
	pub, ok := parsed.(ed25519.PublicKey)
	if !ok {
		return nil, ErrNotEd25519
	}
	return pub, nil
}
