package token

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const userID = "0190a5b4-7c1e-7d3a-9f00-1b2c3d4e5f60"

var now = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

func newKeySet(t *testing.T, previous ...ed25519.PublicKey) *KeySet {
	t.Helper()
	k, err := GenerateKey()
	if err != nil {
		t.Fatalf("GenerateKey: %v", err)
	}
	ks, err := NewKeySet(k, previous...)
	if err != nil {
		t.Fatalf("NewKeySet: %v", err)
	}
	return ks
}

// jwksKeyfunc resolves the token's kid against a JWKS the way a verifying
// service does after fetching it: through JSON, not through Go values.
func jwksKeyfunc(t *testing.T, set JWKSet) jwt.Keyfunc {
	t.Helper()
	raw, err := json.Marshal(set)
	if err != nil {
		t.Fatalf("marshal jwks: %v", err)
	}
	var fetched JWKSet
	if err := json.Unmarshal(raw, &fetched); err != nil {
		t.Fatalf("unmarshal jwks: %v", err)
	}
	return func(tok *jwt.Token) (any, error) {
		kid, _ := tok.Header["kid"].(string)
		for _, k := range fetched.Keys {
			if k.Kid == kid {
				return k.Ed25519()
			}
		}
		return nil, fmt.Errorf("unknown kid %q", kid)
	}
}

func parse(t *testing.T, tok string, set JWKSet, at time.Time) (jwt.MapClaims, error) {
	t.Helper()
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(tok, claims, jwksKeyfunc(t, set),
		jwt.WithValidMethods([]string{Algorithm}),
		jwt.WithIssuer(Issuer),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(func() time.Time { return at }),
	)
	return claims, err
}

func TestSignVerify(t *testing.T) {
	t.Parallel()
	ks := newKeySet(t)
	tok, err := NewSigner(ks).Sign(userID, []string{"customer", "staff"}, 15*time.Minute, now)
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}

	// jwt.Parse with the key from the published JWKS.
	parsed, err := jwt.Parse(tok, jwksKeyfunc(t, ks.JWKS()),
		jwt.WithValidMethods([]string{"EdDSA"}),
		jwt.WithTimeFunc(func() time.Time { return now.Add(time.Minute) }))
	if err != nil {
		t.Fatalf("jwt.Parse: %v", err)
	}
	if got, want := parsed.Header["kid"], ks.Active().ID; got != want {
		t.Errorf("kid = %v, want %v", got, want)
	}
	mc := parsed.Claims.(jwt.MapClaims)
	if mc["sub"] != userID || mc["iss"] != Issuer {
		t.Errorf("claims = %v", mc)
	}

	// The payload must be exactly the documented JSON, in order.
	parts := strings.Split(tok, ".")
	header, _ := base64.RawURLEncoding.DecodeString(parts[0])
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	wantHeader := fmt.Sprintf(`{"alg":"EdDSA","kid":%q,"typ":"JWT"}`, ks.Active().ID)
	if string(header) != wantHeader {
		t.Errorf("header = %s, want %s", header, wantHeader)
	}
	wantPayload := regexp.MustCompile(fmt.Sprintf(
		`^\{"iss":"jangteo-identity","sub":"%s","roles":\["customer","staff"\],"iat":%d,"exp":%d,"jti":"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"\}$`,
		userID, now.Unix(), now.Add(15*time.Minute).Unix()))
	if !wantPayload.Match(payload) {
		t.Errorf("payload = %s", payload)
	}
}

func TestSignNilRolesIsEmptyArray(t *testing.T) {
	t.Parallel()
	tok, err := NewSigner(newKeySet(t)).Sign(userID, nil, time.Minute, now)
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}
	payload, _ := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[1])
	if !bytes.Contains(payload, []byte(`"roles":[]`)) {
		t.Fatalf("payload = %s, want roles []", payload)
	}
}

func TestVerifyRejects(t *testing.T) {
	t.Parallel()
	ks := newKeySet(t)
	other := newKeySet(t)
	signer := NewSigner(ks)
	good, err := signer.Sign(userID, []string{"customer"}, 15*time.Minute, now)
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}

	// Same claims, promoted to admin, original signature kept.
	parts := strings.Split(good, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	promoted := bytes.Replace(payload, []byte(`["customer"]`), []byte(`["customer","admin"]`), 1)
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString(promoted) + "." + parts[2]

	// Signed by another key but claiming our kid.
	forgedTok := jwt.NewWithClaims(jwt.SigningMethodEdDSA, Claims{
		Issuer: Issuer, Subject: userID, Roles: []string{"admin"},
		IssuedAt: now.Unix(), ExpiresAt: now.Add(time.Hour).Unix(), ID: "x",
	})
	forgedTok.Header["kid"] = ks.Active().ID
	forged, err := forgedTok.SignedString(other.Active().Private)
	if err != nil {
		t.Fatalf("sign forged: %v", err)
	}

	fromOther, err := NewSigner(other).Sign(userID, []string{"customer"}, 15*time.Minute, now)
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}

	tests := []struct {
		name    string
		tok     string
		at      time.Time
		wantErr error
	}{
		{"tampered claim", tampered, now, jwt.ErrTokenSignatureInvalid},
		{"different key same kid", forged, now, jwt.ErrTokenSignatureInvalid},
		{"different key unknown kid", fromOther, now, jwt.ErrTokenUnverifiable},
		{"expired", good, now.Add(16 * time.Minute), jwt.ErrTokenExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := parse(t, tt.tok, ks.JWKS(), tt.at); !errors.Is(err, tt.wantErr) {
				t.Fatalf("parse err = %v, want %v", err, tt.wantErr)
			}
		})
	}
	if _, err := parse(t, good, ks.JWKS(), now); err != nil {
		t.Fatalf("untouched token rejected: %v", err)
	}
}

func TestRotation(t *testing.T) {
	t.Parallel()
	before := newKeySet(t)
	old, err := NewSigner(before).Sign(userID, []string{"customer"}, time.Hour, now)
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}
	after := newKeySet(t, before.Active().Public, before.Active().Public)
	fresh, err := NewSigner(after).Sign(userID, []string{"customer"}, time.Hour, now)
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}
	set := after.JWKS()
	if len(set.Keys) != 2 || set.Keys[0].Kid != after.Active().ID || set.Keys[1].Kid != before.Active().ID {
		t.Fatalf("JWKS kids = %+v, want active then previous, deduplicated", set.Keys)
	}
	for name, tok := range map[string]string{"old key": old, "new key": fresh} {
		if _, err := parse(t, tok, set, now); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, ok := after.PublicKey(before.Active().ID); !ok {
		t.Error("PublicKey(previous kid) not found")
	}
}

func TestSignRejects(t *testing.T) {
	t.Parallel()
	signer := NewSigner(newKeySet(t))
	tests := []struct {
		name string
		sub  string
		ttl  time.Duration
	}{
		{"empty subject", "", time.Minute},
		{"non-uuid subject", "alice@example.com", time.Minute},
		{"zero ttl", userID, 0},
		{"negative ttl", userID, -time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := signer.Sign(tt.sub, nil, tt.ttl, now); err == nil {
				t.Fatal("Sign succeeded, want error")
			}
		})
	}
}

func TestJWKSShape(t *testing.T) {
	t.Parallel()
	ks := newKeySet(t)
	raw, err := json.Marshal(ks.JWKS())
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	k := ks.Active()
	want := fmt.Sprintf(`{"keys":[{"kty":"OKP","crv":"Ed25519","x":%q,"kid":%q,"alg":"EdDSA","use":"sig"}]}`,
		base64.RawURLEncoding.EncodeToString(k.Public), k.ID)
	if string(raw) != want {
		t.Fatalf("JWKS = %s\nwant   %s", raw, want)
	}
	if len(k.ID) != 11 { // 8 bytes in unpadded base64url
		t.Errorf("kid %q has length %d, want 11", k.ID, len(k.ID))
	}
	if KeyID(k.Public) != k.ID {
		t.Error("KeyID is not deterministic")
	}
}

func TestJWKEd25519Rejects(t *testing.T) {
	t.Parallel()
	good := newKeySet(t).JWKS().Keys[0]
	tests := []struct {
		name   string
		mutate func(*JWK)
	}{
		{"wrong kty", func(j *JWK) { j.Kty = "EC" }},
		{"wrong crv", func(j *JWK) { j.Crv = "X25519" }},
		{"wrong alg", func(j *JWK) { j.Alg = "ES256" }},
		{"bad base64", func(j *JWK) { j.X = "***" }},
		{"short key", func(j *JWK) { j.X = "AAAA" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			j := good
			tt.mutate(&j)
			if _, err := j.Ed25519(); err == nil {
				t.Fatal("Ed25519() succeeded, want error")
			}
		})
	}
}

func TestPEMRoundTrip(t *testing.T) {
	t.Parallel()
	k, err := GenerateKey()
	if err != nil {
		t.Fatalf("GenerateKey: %v", err)
	}
	privPEM, err := EncodePrivateKeyPEM(k)
	if err != nil {
		t.Fatalf("EncodePrivateKeyPEM: %v", err)
	}
	if !bytes.HasPrefix(privPEM, []byte("-----BEGIN PRIVATE KEY-----\n")) {
		t.Fatalf("private PEM = %s", privPEM)
	}
	got, err := DecodePrivateKeyPEM(privPEM)
	if err != nil {
		t.Fatalf("DecodePrivateKeyPEM: %v", err)
	}
	if got.ID != k.ID || !got.Private.Equal(k.Private) || !got.Public.Equal(k.Public) {
		t.Fatal("private key changed in round trip")
	}

	pubPEM, err := EncodePublicKeyPEM(k.Public)
	if err != nil {
		t.Fatalf("EncodePublicKeyPEM: %v", err)
	}
	pub, err := DecodePublicKeyPEM(pubPEM)
	if err != nil {
		t.Fatalf("DecodePublicKeyPEM: %v", err)
	}
	if !pub.Equal(k.Public) {
		t.Fatal("public key changed in round trip")
	}
}

func TestDecodePEMRejects(t *testing.T) {
	t.Parallel()
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("ecdsa: %v", err)
	}
	ecDER, _ := x509.MarshalPKCS8PrivateKey(ec)
	ecPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: ecDER})
	ecPubDER, _ := x509.MarshalPKIXPublicKey(&ec.PublicKey)
	ecPubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: ecPubDER})
	k, _ := GenerateKey()
	edPub, _ := EncodePublicKeyPEM(k.Public)

	tests := []struct {
		name    string
		data    []byte
		public  bool
		wantErr error
	}{
		{"private: garbage", []byte("not pem"), false, nil},
		{"private: public block", edPub, false, nil},
		{"private: ecdsa", ecPEM, false, ErrNotEd25519},
		{"private: corrupt der", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1, 2, 3}}), false, nil},
		{"public: garbage", []byte("not pem"), true, nil},
		{"public: ecdsa", ecPubPEM, true, ErrNotEd25519},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var err error
			if tt.public {
				_, err = DecodePublicKeyPEM(tt.data)
			} else {
				_, err = DecodePrivateKeyPEM(tt.data)
			}
			if err == nil {
				t.Fatal("decode succeeded, want error")
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestNewKeySetRejects(t *testing.T) {
	t.Parallel()
	k, _ := GenerateKey()
	if _, err := NewKeySet(Key{}); err == nil {
		t.Error("NewKeySet(empty key) succeeded")
	}
	if _, err := NewKeySet(k, ed25519.PublicKey{1, 2, 3}); err == nil {
		t.Error("NewKeySet(short previous key) succeeded")
	}
	// A Key whose ID was tampered with is corrected, not published as is.
	k.ID = "wrong"
	ks, err := NewKeySet(k)
	if err != nil {
		t.Fatalf("NewKeySet: %v", err)
	}
	if ks.Active().ID != KeyID(k.Public) {
		t.Errorf("active kid = %q, want derived %q", ks.Active().ID, KeyID(k.Public))
	}
}
