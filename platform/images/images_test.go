package images

import (
	"errors"
	"fmt"
	"path"
	"regexp"
	"strings"
	"testing"
)

func TestNewKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		prefix      string
		contentType string
		wantDir     string
		wantExt     string
		wantErr     error
	}{
		{name: "jpeg", prefix: "products/0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", contentType: "image/jpeg", wantDir: "products/0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", wantExt: ".jpg"},
		{name: "png", prefix: "brands/nike", contentType: "image/png", wantDir: "brands/nike", wantExt: ".png"},
		{name: "webp", prefix: "p", contentType: "image/webp", wantDir: "p", wantExt: ".webp"},
		{name: "gif", prefix: "p", contentType: "image/gif", wantDir: "p", wantExt: ".gif"},
		{name: "slashes trimmed", prefix: "/products/x/", contentType: "image/png", wantDir: "products/x", wantExt: ".png"},
		{name: "no prefix", prefix: "", contentType: "image/png", wantDir: ".", wantExt: ".png"},
		{name: "unsupported type", prefix: "p", contentType: "image/svg+xml", wantErr: ErrUnsupportedType},
		{name: "traversal prefix", prefix: "../etc", contentType: "image/png", wantErr: ErrInvalidKey},
		{name: "space in prefix", prefix: "my products", contentType: "image/png", wantErr: ErrInvalidKey},
	}
	name := regexp.MustCompile(`^[a-z2-7]{26}\.[a-z]+$`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := NewKey(tt.prefix, tt.contentType)
			if !errors.Is(err, tt.wantErr) || (err != nil) != (tt.wantErr != nil) {
				t.Fatalf("NewKey() error = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if dir := path.Dir(got); dir != tt.wantDir {
				t.Errorf("NewKey() = %q, dir %q, want %q", got, dir, tt.wantDir)
			}
			if ext := path.Ext(got); ext != tt.wantExt {
				t.Errorf("NewKey() = %q, ext %q, want %q", got, ext, tt.wantExt)
			}
			if !name.MatchString(path.Base(got)) {
				t.Errorf("NewKey() = %q, want a random lower-case base32 name", got)
			}
			if again, _ := NewKey(tt.prefix, tt.contentType); again == got {
				t.Errorf("NewKey() returned %q twice", got)
			}
		})
	}
}

func TestCheckKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		key         string
		contentType string
		wantErr     error
	}{
		{"products/1/a.jpg", "image/jpeg", nil},
		{"products/1/a.JPEG", "image/jpeg", nil},
		{"a.png", "image/png", nil},
		{"a_b-c.d.webp", "image/webp", nil},
		{"", "image/png", ErrInvalidKey},
		{"../a.png", "image/png", ErrInvalidKey},
		{"products/../../a.png", "image/png", ErrInvalidKey},
		{"products/./a.png", "image/png", ErrInvalidKey},
		{"/etc/a.png", "image/png", ErrInvalidKey},
		{"products//a.png", "image/png", ErrInvalidKey},
		{"products/a.png/", "image/png", ErrInvalidKey},
		{`products\..\a.png`, "image/png", ErrInvalidKey},
		{"products/.hidden.png", "image/png", ErrInvalidKey},
		{"products/a b.png", "image/png", ErrInvalidKey},
		{"products/a%2e.png", "image/png", ErrInvalidKey},
		{"products/a\x00.png", "image/png", ErrInvalidKey},
		{"products/이미지.png", "image/png", ErrInvalidKey},
		{strings.Repeat("a", maxKeyLen) + ".png", "image/png", ErrInvalidKey},
		{"products/a", "image/png", ErrInvalidKey},
		{"products/a.html", "image/png", ErrInvalidKey},
		{"products/a.jpg", "image/png", ErrInvalidKey},
		{"products/a.svg", "image/svg+xml", ErrUnsupportedType},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			t.Parallel()
			err := checkKey(tt.key, tt.contentType)
			if !errors.Is(err, tt.wantErr) || (err != nil) != (tt.wantErr != nil) {
				t.Errorf("checkKey(%q, %q) = %v, want %v", tt.key, tt.contentType, err, tt.wantErr)
			}
		})
	}
}

func TestNew(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		cfg     Config
		want    string // concrete type
		wantErr bool
	}{
		{name: "default is disk", cfg: Config{Dir: t.TempDir()}, want: "*images.Disk"},
		{name: "disk", cfg: Config{Driver: "disk", Dir: t.TempDir(), PublicBaseURL: "http://x/media"}, want: "*images.Disk"},
		{name: "driver is case-insensitive", cfg: Config{Driver: " S3 ", S3Endpoint: "localhost:9000", S3Bucket: "bkt"}, want: "*images.S3"},
		{name: "s3", cfg: Config{Driver: "s3", S3Endpoint: "s3.ap-northeast-2.amazonaws.com", S3Bucket: "bkt", S3AccessKey: "ak", S3SecretKey: "sk", S3UseSSL: true, S3Region: "ap-northeast-2"}, want: "*images.S3"},
		{name: "s3 without bucket", cfg: Config{Driver: "s3", S3Endpoint: "localhost:9000"}, wantErr: true},
		{name: "s3 without endpoint", cfg: Config{Driver: "s3", S3Bucket: "bkt"}, wantErr: true},
		{name: "s3 invalid bucket name", cfg: Config{Driver: "s3", S3Endpoint: "localhost:9000", S3Bucket: "Bad_Bucket"}, wantErr: true},
		{name: "s3 bad endpoint url", cfg: Config{Driver: "s3", S3Endpoint: "ftp://host", S3Bucket: "bkt"}, wantErr: true},
		{name: "unknown driver", cfg: Config{Driver: "gcs"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := New(tt.cfg)
			if (err != nil) != tt.wantErr {
				t.Fatalf("New() error = %v, wantErr %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if d, ok := got.(*Disk); ok {
				t.Cleanup(func() { _ = d.Close() })
			}
			if typ := fmt.Sprintf("%T", got); typ != tt.want {
				t.Errorf("New() = %s, want %s", typ, tt.want)
			}
		})
	}
}
