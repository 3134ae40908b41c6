package phone

import (
	"errors"
	"testing"
)

func TestNormalize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		raw     string
		region  string
		want    string
		wantErr bool
	}{
		{name: "korean mobile with dashes", raw: "010-1234-5678", region: "KR", want: "+821012345678"},
		{name: "korean mobile digits only", raw: "01012345678", region: "KR", want: "+821012345678"},
		{name: "default region when empty", raw: "010 1234 5678", region: "", want: "+821012345678"},
		{name: "lower-case region", raw: "010-1234-5678", region: "kr", want: "+821012345678"},
		{name: "already e164", raw: "+821012345678", region: "KR", want: "+821012345678"},
		{name: "international with spaces", raw: "+82 10-1234-5678", region: "US", want: "+821012345678"},
		{name: "seoul landline", raw: "02-312-3456", region: "KR", want: "+8223123456"},
		{name: "surrounding whitespace", raw: "  010-1234-5678 ", region: "KR", want: "+821012345678"},
		{name: "us number in us region", raw: "(201) 555-0123", region: "US", want: "+12015550123"},
		{name: "us number e164 from kr", raw: "+1 201-555-0123", region: "KR", want: "+12015550123"},
		{name: "empty", raw: "", region: "KR", wantErr: true},
		{name: "letters", raw: "call me maybe", region: "KR", wantErr: true},
		{name: "too short", raw: "010-123", region: "KR", wantErr: true},
		{name: "too long", raw: "010-1234-5678-9999", region: "KR", wantErr: true},
		{name: "unassigned prefix", raw: "090-1234-5678", region: "KR", wantErr: true},
		{name: "unknown country code", raw: "+999 1234 5678", region: "KR", wantErr: true},
		{name: "unknown region for national", raw: "010-1234-5678", region: "ZZ", wantErr: true},
		{name: "oversized input", raw: "+8210" + string(make([]byte, 100)), region: "KR", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Normalize(tt.raw, tt.region)
			if tt.wantErr {
				if !errors.Is(err, ErrInvalid) {
					t.Fatalf("Normalize(%q, %q) = %q, %v; want ErrInvalid", tt.raw, tt.region, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Normalize(%q, %q) = %q, %v; want %q", tt.raw, tt.region, got, err, tt.want)
			}
		})
	}
}

func TestErrInvalidMessage(t *testing.T) {
	t.Parallel()
	const want = "must be a valid phone number in E.164 (+821012345678) or national format (010-1234-5678)"
	if ErrInvalid.Error() != want {
		t.Fatalf("ErrInvalid = %q, want %q", ErrInvalid, want)
	}
}
