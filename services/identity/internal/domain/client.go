package domain

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"

	"github.com/jangteo/jangteo/platform/errs"
)

// ErrClientInvalid refuses a service token request: an unknown client or a
// wrong secret (OAuth 2.0's invalid_client).
var ErrClientInvalid = errs.New(errs.Unauthenticated, "CLIENT_INVALID", "unknown service or wrong client secret")

// MinClientSecretLen is the shortest client secret accepted in clear text.
const MinClientSecretLen = 32

var clientName = regexp.MustCompile(`^[a-z][a-z0-9-]{0,30}$`)

// ServiceClients are the services that may ask for service tokens: each
// client id (the service's name) with the SHA-256 of its secret. Secrets are
// long random strings, so a fast hash is enough to keep the list harmless to
// read.
type ServiceClients map[string][sha256.Size]byte

// ParseServiceClients reads SERVICE_CLIENTS: client id → "sha256:<64 hex>"
// (the secret's hash) or the secret itself, at least MinClientSecretLen
// characters.
func ParseServiceClients(raw map[string]string) (ServiceClients, error) {
	clients := make(ServiceClients, len(raw))
	for name, v := range raw {
		if !clientName.MatchString(name) {
			return nil, fmt.Errorf("SERVICE_CLIENTS: client id %q is not a service name (a-z, 0-9, -)", name)
		}
		if hexHash, ok := strings.CutPrefix(v, "sha256:"); ok {
			b, err := hex.DecodeString(hexHash)
			if err != nil || len(b) != sha256.Size {
				return nil, fmt.Errorf("SERVICE_CLIENTS: %s: sha256: wants 64 hex digits", name)
			}
			clients[name] = [sha256.Size]byte(b)
			continue
		}
		if len(v) < MinClientSecretLen {
			return nil, fmt.Errorf("SERVICE_CLIENTS: %s: a secret needs at least %d characters (or give its sha256:<hex>)", name, MinClientSecretLen)
		}
		clients[name] = sha256.Sum256([]byte(v))
	}
	return clients, nil
}

// HashClientSecret is the SERVICE_CLIENTS form of secret: "sha256:<hex>".
func HashClientSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// Authenticate checks a client's secret in constant time.
func (c ServiceClients) Authenticate(client, secret string) error {
	want, ok := c[client]
	got := sha256.Sum256([]byte(secret))
	if !ok || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
		return ErrClientInvalid
	}
	return nil
}
