package token

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
)

// KeySet is the active signing key plus the public halves of keys it
// replaced. Rotation is: make a new key active, keep the old public key here
// for at least the access-token lifetime plus the verifiers' JWKS cache age,
// then drop it. A KeySet is immutable and safe for concurrent use.
type KeySet struct {
	active Key
	// public holds every verification key, active first, in JWKS order.
	public []publicKey
}

type publicKey struct {
	id  string
	key ed25519.PublicKey
}

// NewKeySet returns a KeySet that signs with active and also publishes the
// previous public keys. A previous key equal to the active one is ignored,
// so a config listing the active key twice stays valid.
func NewKeySet(active Key, previous ...ed25519.PublicKey) (*KeySet, error) {
	if len(active.Private) != ed25519.PrivateKeySize {
		return nil, errors.New("token: active key has no Ed25519 private key")
	}
	// Recompute rather than trust the fields: a mismatched Public or ID would
	// publish a JWKS that verifies nothing.
	active, err := KeyFromPrivate(active.Private)
	if err != nil {
		return nil, err
	}
	ks := &KeySet{active: active, public: []publicKey{{id: active.ID, key: active.Public}}}
	seen := map[string]bool{active.ID: true}
	for i, pub := range previous {
		if len(pub) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("token: previous key %d must be %d bytes, got %d", i, ed25519.PublicKeySize, len(pub))
		}
		id := KeyID(pub)
		if seen[id] {
			continue
		}
		seen[id] = true
		ks.public = append(ks.public, publicKey{id: id, key: pub})
	}
	return ks, nil
}

// Active returns the key new tokens are signed with.
func (ks *KeySet) Active() Key { return ks.active }

// PublicKey returns the verification key with the given kid.
func (ks *KeySet) PublicKey(kid string) (ed25519.PublicKey, bool) {
	for _, pk := range ks.public {
		if pk.id == kid {
			return pk.key, true
		}
	}
	return nil, false
}

// JWK is an Ed25519 public key as an RFC 8037 JSON Web Key.
type JWK struct {
	// Kty is the key type, always "OKP" (octet key pair).
	Kty string `json:"kty"`
	// Crv is the curve, always "Ed25519".
	Crv string `json:"crv"`
	// X is the base64url (unpadded) public key.
	X string `json:"x"`
	// Kid is the key id tokens carry in their header.
	Kid string `json:"kid"`
	// Alg is the JWS algorithm, always "EdDSA".
	Alg string `json:"alg"`
	// Use is the intended use, always "sig".
	Use string `json:"use"`
}

// JWKSet is the JSON document served at the JWKS endpoint: {"keys":[...]}.
type JWKSet struct {
	// Keys are the published keys, active first.
	Keys []JWK `json:"keys"`
}

// JWK field values for Ed25519 signing keys (RFC 8037 section 2).
const (
	jwkKeyType = "OKP"
	jwkCurve   = "Ed25519"
	jwkUse     = "sig"
	// Algorithm is the JWS "alg" of every token identity signs.
	Algorithm = "EdDSA"
)

// JWKS returns every verification key, active first, as JWKs.
func (ks *KeySet) JWKS() JWKSet {
	set := JWKSet{Keys: make([]JWK, 0, len(ks.public))}
	for _, pk := range ks.public {
		set.Keys = append(set.Keys, JWK{
			Kty: jwkKeyType,
			Crv: jwkCurve,
			X:   base64.RawURLEncoding.EncodeToString(pk.key),
			Kid: pk.id,
			Alg: Algorithm,
			Use: jwkUse,
		})
	}
	return set
}

// Ed25519 decodes the JWK back into a public key, checking that it is an
// Ed25519 signing key. Verifiers use it after fetching the JWKS.
func (j JWK) Ed25519() (ed25519.PublicKey, error) {
	if j.Kty != jwkKeyType || j.Crv != jwkCurve {
		return nil, fmt.Errorf("token: jwk %q is %s/%s, want %s/%s", j.Kid, j.Kty, j.Crv, jwkKeyType, jwkCurve)
	}
	if j.Alg != "" && j.Alg != Algorithm {
		return nil, fmt.Errorf("token: jwk %q has alg %q, want %q", j.Kid, j.Alg, Algorithm)
	}
	raw, err := base64.RawURLEncoding.DecodeString(j.X)
	if err != nil {
		return nil, fmt.Errorf("token: jwk %q: decode x: %w", j.Kid, err)
	}
	if len(raw) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("token: jwk %q: x must be %d bytes, got %d", j.Kid, ed25519.PublicKeySize, len(raw))
	}
	return ed25519.PublicKey(raw), nil
}
