package images

import (
	"bytes"
	"errors"
	"testing"
)

func TestCheck(t *testing.T) {
	t.Parallel()
	pngData := sample(t, "image/png")
	tests := []struct {
		name     string
		data     []byte
		declared string
		maxBytes int
		want     string
		wantErr  error
	}{
		{name: "png", data: pngData, declared: "image/png", want: "image/png"},
		{name: "jpeg", data: sample(t, "image/jpeg"), declared: "image/jpeg", want: "image/jpeg"},
		{name: "gif", data: sample(t, "image/gif"), declared: "image/gif", want: "image/gif"},
		{name: "webp", data: sample(t, "image/webp"), declared: "image/webp", want: "image/webp"},
		{name: "nothing declared", data: pngData, declared: "", want: "image/png"},
		{name: "octet-stream declared", data: pngData, declared: "application/octet-stream", want: "image/png"},
		{name: "declared with parameters and case", data: pngData, declared: " Image/PNG; charset=binary ", want: "image/png"},
		{name: "legacy jpg alias", data: sample(t, "image/jpeg"), declared: "image/jpg", want: "image/jpeg"},
		{name: "legacy pjpeg alias", data: sample(t, "image/jpeg"), declared: "image/pjpeg", want: "image/jpeg"},
		{name: "exactly the limit", data: pngData, maxBytes: len(pngData), want: "image/png"},

		{name: "empty", data: nil, declared: "image/png", wantErr: ErrEmpty},
		{name: "one byte over the limit", data: pngData, maxBytes: len(pngData) - 1, wantErr: ErrTooLarge},
		{name: "over the default limit", data: append(bytes.Clone(pngData), make([]byte, DefaultMaxBytes)...), wantErr: ErrTooLarge},
		{name: "declared type contradicts content", data: pngData, declared: "image/jpeg", wantErr: ErrTypeMismatch},
		{name: "declared non-image for an image", data: pngData, declared: "text/html", wantErr: ErrTypeMismatch},
		{name: "garbage declared", data: pngData, declared: ";;;", wantErr: ErrTypeMismatch},
		{name: "svg refused", data: []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), declared: "image/svg+xml", wantErr: ErrUnsupportedType},
		{name: "html posing as png", data: []byte("<html><body>hi</body></html>"), declared: "image/png", wantErr: ErrUnsupportedType},
		{name: "text", data: []byte("just text"), wantErr: ErrUnsupportedType},
		{name: "bmp refused", data: []byte("BM\x3a\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00"), declared: "image/bmp", wantErr: ErrUnsupportedType},
		{name: "pdf refused", data: []byte("%PDF-1.7\n"), declared: "image/png", wantErr: ErrUnsupportedType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Check(tt.data, tt.declared, tt.maxBytes)
			if !errors.Is(err, tt.wantErr) || (err != nil) != (tt.wantErr != nil) {
				t.Fatalf("Check() error = %v, want %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("Check() = %q, want %q", got, tt.want)
			}
		})
	}
}
