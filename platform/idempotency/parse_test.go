package idempotency_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/jangteo/jangteo/platform/idempotency"
)

func TestParseKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		values []string
		key    string
		err    error
	}{
		{"uuid", []string{"8e03978e-40d5-43e8-bc93-6894a57f9324"}, "8e03978e-40d5-43e8-bc93-6894a57f9324", nil},
		{"structured-field string", []string{`"8e03978e"`}, "8e03978e", nil},
		{"escapes in a structured-field string", []string{`"a\"b\\c"`}, `a"b\c`, nil},
		{"longest", []string{strings.Repeat("k", idempotency.MaxKeyLength)}, strings.Repeat("k", idempotency.MaxKeyLength), nil},
		{"missing", nil, "", idempotency.ErrKeyMissing},
		{"empty", []string{""}, "", idempotency.ErrKeyInvalid},
		{"empty string", []string{`""`}, "", idempotency.ErrKeyInvalid},
		{"too long", []string{strings.Repeat("k", idempotency.MaxKeyLength+1)}, "", idempotency.ErrKeyInvalid},
		{"control character", []string{"a\tb"}, "", idempotency.ErrKeyInvalid},
		{"not ASCII", []string{"키-1"}, "", idempotency.ErrKeyInvalid},
		{"two keys", []string{"a", "b"}, "", idempotency.ErrKeyInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key, err := idempotency.ParseKey(tt.values...)
			if key != tt.key || !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) {
				t.Fatalf("ParseKey(%q) = %q, %v; want %q, %v", tt.values, key, err, tt.key, tt.err)
			}
		})
	}
}
