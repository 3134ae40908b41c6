package images

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDiskPut(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	d, err := NewDisk(dir, "http://localhost:8080/media/")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })

	tests := []struct {
		name        string
		key         string
		contentType string
		wantURL     string
		wantErr     error
	}{
		{name: "nested key", key: "products/0190a1b2/abc.jpg", contentType: "image/jpeg", wantURL: "http://localhost:8080/media/products/0190a1b2/abc.jpg"},
		{name: "top-level key", key: "logo.png", contentType: "image/png", wantURL: "http://localhost:8080/media/logo.png"},
		{name: "traversal", key: "../escape.png", contentType: "image/png", wantErr: ErrInvalidKey},
		{name: "deep traversal", key: "products/../../../escape.png", contentType: "image/png", wantErr: ErrInvalidKey},
		{name: "absolute", key: "/tmp/escape.png", contentType: "image/png", wantErr: ErrInvalidKey},
		{name: "hidden", key: "products/.escape.png", contentType: "image/png", wantErr: ErrInvalidKey},
		{name: "extension disagrees", key: "products/a.png", contentType: "image/jpeg", wantErr: ErrInvalidKey},
		{name: "unsupported type", key: "products/a.svg", contentType: "image/svg+xml", wantErr: ErrUnsupportedType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			data := []byte("bytes of " + tt.key)
			got, err := d.Put(context.Background(), tt.key, tt.contentType, data)
			if !errors.Is(err, tt.wantErr) || (err != nil) != (tt.wantErr != nil) {
				t.Fatalf("Put() error = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if got != tt.wantURL {
				t.Errorf("Put() = %q, want %q", got, tt.wantURL)
			}
			onDisk, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(tt.key)))
			if err != nil {
				t.Fatalf("read stored file: %v", err)
			}
			if !bytes.Equal(onDisk, data) {
				t.Errorf("stored %q, want %q", onDisk, data)
			}
		})
	}
}

func TestDiskPutLeavesNoTemporaryFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	d, err := NewDisk(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	ctx := context.Background()
	for _, data := range []string{"first", "second"} { // the second replaces the first
		if _, err := d.Put(ctx, "products/p/a.png", "image/png", []byte(data)); err != nil {
			t.Fatal(err)
		}
	}
	entries, err := os.ReadDir(filepath.Join(dir, "products", "p"))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != "a.png" {
		t.Errorf("directory holds %v, want only a.png", entries)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "products", "p", "a.png")); string(got) != "second" {
		t.Errorf("file holds %q, want %q", got, "second")
	}
}

func TestDiskPutDefaults(t *testing.T) {
	t.Parallel()
	d, err := NewDisk(t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	got, err := d.Put(context.Background(), "a.gif", "image/gif", []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	if want := DefaultPublicBaseURL + "/a.gif"; got != want {
		t.Errorf("Put() = %q, want %q", got, want)
	}
}

func TestDiskPutCancelled(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	d, err := NewDisk(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := d.Put(ctx, "a.png", "image/png", []byte("x")); !errors.Is(err, context.Canceled) {
		t.Fatalf("Put() error = %v, want context.Canceled", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "a.png")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("file written despite cancelled context: %v", err)
	}
}

func TestDiskHandler(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// Serve the way the gateway will: the handler under /media/.
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	d, err := NewDisk(dir, srv.URL+"/media")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	mux.Handle("/media/", http.StripPrefix("/media", d.Handler()))

	ctx := context.Background()
	jpg := sample(t, "image/jpeg")
	jpgURL, err := d.Put(ctx, "products/p1/photo.jpg", "image/jpeg", jpg)
	if err != nil {
		t.Fatal(err)
	}
	webp := sample(t, "image/webp")
	webpURL, err := d.Put(ctx, "products/p1/photo.webp", "image/webp", webp)
	if err != nil {
		t.Fatal(err)
	}
	// Files the store did not write through Put, to prove they stay hidden.
	for name, body := range map[string]string{
		"products/p1/.tmp-XYZ":     "partial",
		"products/p1/page.html":    "<script>alert(1)</script>",
		"products/p1/fake.png.txt": "text",
	} {
		if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(name)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "dir.png"), 0o755); err != nil {
		t.Fatal(err)
	}

	const immutable = "public, max-age=31536000, immutable"
	tests := []struct {
		name        string
		method      string
		url         string
		wantStatus  int
		wantType    string
		wantCache   string
		wantBody    []byte
		wantNoSniff bool
	}{
		{name: "jpeg", method: http.MethodGet, url: jpgURL, wantStatus: http.StatusOK, wantType: "image/jpeg", wantCache: immutable, wantBody: jpg, wantNoSniff: true},
		{name: "webp", method: http.MethodGet, url: webpURL, wantStatus: http.StatusOK, wantType: "image/webp", wantCache: immutable, wantBody: webp, wantNoSniff: true},
		{name: "head", method: http.MethodHead, url: jpgURL, wantStatus: http.StatusOK, wantType: "image/jpeg", wantCache: immutable, wantBody: []byte{}, wantNoSniff: true},
		{name: "missing file is not cached", method: http.MethodGet, url: srv.URL + "/media/products/p1/missing.jpg", wantStatus: http.StatusNotFound},
		{name: "directory not listed", method: http.MethodGet, url: srv.URL + "/media/products/p1/", wantStatus: http.StatusNotFound},
		{name: "directory without slash", method: http.MethodGet, url: srv.URL + "/media/products", wantStatus: http.StatusNotFound},
		{name: "root not listed", method: http.MethodGet, url: srv.URL + "/media/", wantStatus: http.StatusNotFound},
		{name: "directory named like an image", method: http.MethodGet, url: srv.URL + "/media/dir.png", wantStatus: http.StatusNotFound},
		{name: "temporary file hidden", method: http.MethodGet, url: srv.URL + "/media/products/p1/.tmp-XYZ", wantStatus: http.StatusNotFound},
		{name: "html not served", method: http.MethodGet, url: srv.URL + "/media/products/p1/page.html", wantStatus: http.StatusNotFound},
		{name: "non-image extension not served", method: http.MethodGet, url: srv.URL + "/media/products/p1/fake.png.txt", wantStatus: http.StatusNotFound},
		{name: "encoded traversal", method: http.MethodGet, url: srv.URL + "/media/..%2f..%2fetc%2fpasswd.png", wantStatus: http.StatusNotFound},
		{name: "post refused", method: http.MethodPost, url: jpgURL, wantStatus: http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req, err := http.NewRequestWithContext(ctx, tt.method, tt.url, nil)
			if err != nil {
				t.Fatal(err)
			}
			res, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			body, err := io.ReadAll(res.Body)
			if err != nil {
				t.Fatal(err)
			}
			if res.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d (body %q)", res.StatusCode, tt.wantStatus, body)
			}
			if got := res.Header.Get("Cache-Control"); got != tt.wantCache {
				t.Errorf("Cache-Control = %q, want %q", got, tt.wantCache)
			}
			if tt.wantStatus != http.StatusOK {
				if bytes.Contains(body, []byte("<a href")) {
					t.Errorf("body looks like a directory listing: %q", body)
				}
				return
			}
			if got := res.Header.Get("Content-Type"); got != tt.wantType {
				t.Errorf("Content-Type = %q, want %q", got, tt.wantType)
			}
			if got := res.Header.Get("X-Content-Type-Options"); (got == "nosniff") != tt.wantNoSniff {
				t.Errorf("X-Content-Type-Options = %q", got)
			}
			if !bytes.Equal(body, tt.wantBody) {
				t.Errorf("body = %d bytes, want %d", len(body), len(tt.wantBody))
			}
		})
	}

	t.Run("conditional request", func(t *testing.T) {
		t.Parallel()
		res, err := srv.Client().Get(jpgURL)
		if err != nil {
			t.Fatal(err)
		}
		_ = res.Body.Close()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, jpgURL, nil)
		req.Header.Set("If-Modified-Since", res.Header.Get("Last-Modified"))
		res, err = srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = res.Body.Close()
		if res.StatusCode != http.StatusNotModified {
			t.Errorf("status = %d, want 304", res.StatusCode)
		}
	})

	t.Run("range request", func(t *testing.T) {
		t.Parallel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, jpgURL, nil)
		req.Header.Set("Range", "bytes=0-3")
		res, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusPartialContent || !bytes.Equal(body, jpg[:4]) {
			t.Errorf("status = %d, body %q; want 206 and %q", res.StatusCode, body, jpg[:4])
		}
		if !strings.HasPrefix(res.Header.Get("Content-Type"), "image/jpeg") {
			t.Errorf("Content-Type = %q, want image/jpeg", res.Header.Get("Content-Type"))
		}
	})
}

func TestDiskDelete(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	d, err := NewDisk(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	ctx := context.Background()
	if _, err := d.Put(ctx, "community/abc.png", "image/png", []byte("png")); err != nil {
		t.Fatal(err)
	}
	for range 2 { // the second finds nothing, and that is no error
		if err := d.Delete(ctx, "community/abc.png"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "community", "abc.png")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the file is still there: %v", err)
	}
	if err := d.Delete(ctx, "../escape.png"); !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("traversal: %v, want ErrInvalidKey", err)
	}
}
