package opaque_test

import (
	"bytes"
	"testing"

	"github.com/jangteo/jangteo/platform/opaque"
)

func TestNew(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 100 {
		tok, hash := opaque.New()
		if len(tok) != 43 || !opaque.WellFormed(tok) || !bytes.Equal(hash, opaque.Hash(tok)) || len(hash) != 32 {
			t.Fatalf("New() = %q, %x", tok, hash)
		}
		if seen[tok] {
			t.Fatal("New() repeated a token")
		}
		seen[tok] = true
	}
	for _, bad := range []string{"", "short", "!!!!", "a" + func() string { tok, _ := opaque.New(); return tok }()} {
		if opaque.WellFormed(bad) {
			t.Errorf("WellFormed(%q) = true", bad)
		}
	}
	if bytes.Equal(opaque.Hash("a"), opaque.Hash("b")) {
		t.Fatal("Hash collides")
	}
}
