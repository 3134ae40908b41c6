package images

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// fakeS3 speaks the two S3 calls an upload makes — GetBucketLocation and
// PutObject, path style — and records what arrived.
type fakeS3 struct {
	t      *testing.T
	bucket string
	region string // answered to the location probe
	deny   bool   // answer PutObject with AccessDenied

	mu        sync.Mutex
	objects   map[string]putRecord
	locations int
	deletes   int
}

// putRecord is one PutObject as the server saw it.
type putRecord struct {
	body          []byte
	contentType   string
	cacheControl  string
	authorization string
}

func newFakeS3(t *testing.T, bucket, region string) (*fakeS3, *httptest.Server) {
	f := &fakeS3{t: t, bucket: bucket, region: region, objects: map[string]putRecord{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakeS3) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	bucketPath := "/" + f.bucket
	switch {
	case r.Method == http.MethodGet && strings.TrimSuffix(r.URL.Path, "/") == bucketPath && r.URL.Query().Has("location"):
		f.mu.Lock()
		f.locations++
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/xml")
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>`+
			`<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">%s</LocationConstraint>`, f.region)
	case r.Method == http.MethodPut && strings.HasPrefix(r.URL.Path, bucketPath+"/"):
		if f.deny {
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code>`+
				`<Message>Access Denied</Message><RequestId>1</RequestId></Error>`)
			return
		}
		body, err := readPayload(r)
		if err != nil {
			f.t.Errorf("fake s3: read body: %v", err)
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		f.mu.Lock()
		f.objects[strings.TrimPrefix(r.URL.Path, bucketPath+"/")] = putRecord{
			body:          body,
			contentType:   r.Header.Get("Content-Type"),
			cacheControl:  r.Header.Get("Cache-Control"),
			authorization: r.Header.Get("Authorization"),
		}
		f.mu.Unlock()
		w.Header().Set("ETag", `"d41d8cd98f00b204e9800998ecf8427e"`)
		w.WriteHeader(http.StatusOK)
	case r.Method == http.MethodDelete && strings.HasPrefix(r.URL.Path, bucketPath+"/"):
		// S3 answers 204 whether or not the object was there.
		f.mu.Lock()
		delete(f.objects, strings.TrimPrefix(r.URL.Path, bucketPath+"/"))
		f.deletes++
		f.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	default:
		f.t.Errorf("fake s3: unexpected request %s %s", r.Method, r.URL)
		http.Error(w, "not implemented", http.StatusNotImplemented)
	}
}

// readPayload returns the object bytes of a PutObject. Over plain HTTP
// minio-go signs each chunk (x-amz-content-sha256:
// STREAMING-AWS4-HMAC-SHA256-PAYLOAD), framing the body as aws-chunked:
// "<hex size>;chunk-signature=<sig>\r\n<data>\r\n", ending with a 0 chunk.
func readPayload(r *http.Request) ([]byte, error) {
	if !strings.HasPrefix(r.Header.Get("X-Amz-Content-Sha256"), "STREAMING-") {
		return io.ReadAll(r.Body)
	}
	var out bytes.Buffer
	br := bufio.NewReader(r.Body)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return nil, fmt.Errorf("chunk header: %w", err)
		}
		sizeHex, _, _ := strings.Cut(strings.TrimSpace(line), ";")
		size, err := strconv.ParseInt(sizeHex, 16, 64)
		if err != nil {
			return nil, fmt.Errorf("chunk size %q: %w", line, err)
		}
		if size == 0 {
			break
		}
		if _, err := io.CopyN(&out, br, size); err != nil {
			return nil, fmt.Errorf("chunk data: %w", err)
		}
		if crlf, err := br.ReadString('\n'); err != nil || crlf != "\r\n" {
			return nil, fmt.Errorf("chunk end %q: %v", crlf, err)
		}
	}
	if want := r.Header.Get("X-Amz-Decoded-Content-Length"); want != strconv.Itoa(out.Len()) {
		return nil, fmt.Errorf("decoded %d bytes, header says %s", out.Len(), want)
	}
	return out.Bytes(), nil
}

func TestS3Put(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		cfgRegion     string // Config.S3Region
		serverRegion  string // what the location probe answers
		publicBase    string
		key           string
		contentType   string
		wantURL       func(srvURL string) string
		wantRegion    string // in the signature's credential scope
		wantLocations int
	}{
		{
			name:          "region unknown: probes bucket location",
			serverRegion:  "ap-northeast-2",
			key:           "products/0190a1b2/abc.jpg",
			contentType:   "image/jpeg",
			wantURL:       func(u string) string { return u + "/media-bucket/products/0190a1b2/abc.jpg" },
			wantRegion:    "ap-northeast-2",
			wantLocations: 1,
		},
		{
			name:         "region configured: no probe",
			cfgRegion:    "us-east-1",
			serverRegion: "never-asked",
			publicBase:   "https://cdn.jangteo.example/",
			key:          "brands/nike/logo.png",
			contentType:  "image/png",
			wantURL:      func(string) string { return "https://cdn.jangteo.example/brands/nike/logo.png" },
			wantRegion:   "us-east-1",
		},
		{
			name:          "webp",
			serverRegion:  "us-east-1",
			key:           "products/p/x.webp",
			contentType:   "image/webp",
			wantURL:       func(u string) string { return u + "/media-bucket/products/p/x.webp" },
			wantRegion:    "us-east-1",
			wantLocations: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake, srv := newFakeS3(t, "media-bucket", tt.serverRegion)
			store, err := NewS3(Config{
				S3Endpoint:    strings.TrimPrefix(srv.URL, "http://"),
				S3Bucket:      "media-bucket",
				S3AccessKey:   "AKIAEXAMPLE",
				S3SecretKey:   "secret",
				S3Region:      tt.cfgRegion,
				PublicBaseURL: tt.publicBase,
			})
			if err != nil {
				t.Fatal(err)
			}
			data := sample(t, tt.contentType)
			got, err := store.Put(context.Background(), tt.key, tt.contentType, data)
			if err != nil {
				t.Fatalf("Put() error = %v", err)
			}
			if want := tt.wantURL(srv.URL); got != want {
				t.Errorf("Put() = %q, want %q", got, want)
			}

			fake.mu.Lock()
			defer fake.mu.Unlock()
			obj, ok := fake.objects[tt.key]
			if !ok {
				t.Fatalf("no object %q arrived; have %v", tt.key, fake.objects)
			}
			if !bytes.Equal(obj.body, data) {
				t.Errorf("object body = %s, want %s", hex.EncodeToString(obj.body), hex.EncodeToString(data))
			}
			if obj.contentType != tt.contentType {
				t.Errorf("object Content-Type = %q, want %q", obj.contentType, tt.contentType)
			}
			if want := "public, max-age=31536000, immutable"; obj.cacheControl != want {
				t.Errorf("object Cache-Control = %q, want %q", obj.cacheControl, want)
			}
			if want := "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/"; !strings.HasPrefix(obj.authorization, want) {
				t.Errorf("Authorization = %q, want prefix %q", obj.authorization, want)
			}
			if want := "/" + tt.wantRegion + "/s3/aws4_request"; !strings.Contains(obj.authorization, want) {
				t.Errorf("Authorization = %q, want scope containing %q", obj.authorization, want)
			}
			if fake.locations != tt.wantLocations {
				t.Errorf("location probes = %d, want %d", fake.locations, tt.wantLocations)
			}
		})
	}
}

func TestS3PutEndpointURL(t *testing.T) {
	t.Parallel()
	fake, srv := newFakeS3(t, "bkt", "us-east-1")
	// A full URL as endpoint: its http scheme wins over S3UseSSL.
	store, err := NewS3(Config{S3Endpoint: srv.URL, S3Bucket: "bkt", S3UseSSL: true, S3AccessKey: "a", S3SecretKey: "s"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := store.Put(context.Background(), "a.gif", "image/gif", []byte("GIF89a"))
	if err != nil {
		t.Fatalf("Put() error = %v", err)
	}
	if want := srv.URL + "/bkt/a.gif"; got != want {
		t.Errorf("Put() = %q, want %q", got, want)
	}
	fake.mu.Lock()
	defer fake.mu.Unlock()
	if string(fake.objects["a.gif"].body) != "GIF89a" {
		t.Errorf("object body = %q, want %q", fake.objects["a.gif"].body, "GIF89a")
	}
}

func TestS3PutErrors(t *testing.T) {
	t.Parallel()
	fake, srv := newFakeS3(t, "bkt", "us-east-1")
	fake.deny = true
	store, err := NewS3(Config{S3Endpoint: srv.URL, S3Bucket: "bkt", S3Region: "us-east-1", S3AccessKey: "a", S3SecretKey: "s"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		key         string
		contentType string
		wantErr     error  // a sentinel, or nil to match wantMsg
		wantMsg     string // substring of the error
	}{
		{name: "server refuses", key: "a.png", contentType: "image/png", wantMsg: "Access Denied"},
		{name: "bad key never sent", key: "../a.png", contentType: "image/png", wantErr: ErrInvalidKey},
		{name: "unsupported type never sent", key: "a.svg", contentType: "image/svg+xml", wantErr: ErrUnsupportedType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := store.Put(context.Background(), tt.key, tt.contentType, []byte("x"))
			if err == nil {
				t.Fatal("Put() succeeded, want an error")
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("Put() error = %v, want %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("Put() error = %v, want it to mention %q", err, tt.wantMsg)
			}
		})
	}
}

func TestS3Delete(t *testing.T) {
	t.Parallel()
	fake, srv := newFakeS3(t, "bkt", "us-east-1")
	store, err := NewS3(Config{S3Endpoint: srv.URL, S3Bucket: "bkt", S3Region: "us-east-1", S3AccessKey: "a", S3SecretKey: "s"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := store.Put(ctx, "community/abc.png", "image/png", []byte("png")); err != nil {
		t.Fatal(err)
	}
	for range 2 { // the second finds nothing, and that is no error
		if err := store.Delete(ctx, "community/abc.png"); err != nil {
			t.Fatal(err)
		}
	}
	fake.mu.Lock()
	defer fake.mu.Unlock()
	if _, ok := fake.objects["community/abc.png"]; ok || fake.deletes != 2 {
		t.Fatalf("object still there (%v) after %d deletes", ok, fake.deletes)
	}
	if err := store.Delete(ctx, "../escape.png"); !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("traversal: %v, want ErrInvalidKey", err)
	}
}
