package gateway

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"sync/atomic"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// limitBody caps request bodies: uploadMax on the routes that take a file
// (a bytes field in their body), max everywhere else. A declared length over
// the cap is refused before anything is read; a chunked body is cut off at the
// cap and answered 413 just the same.
func limitBody(rs routes, max, uploadMax int64) middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			limit := max
			if rs.uploads(r.Method, r.URL.Path) {
				limit = uploadMax
			}
			if r.ContentLength > limit {
				writeTooLarge(w, r)
				return
			}
			if r.Body == nil || r.Body == http.NoBody {
				next.ServeHTTP(w, r)
				return
			}
			b := &limitedBody{ReadCloser: http.MaxBytesReader(w, r.Body, limit), size: r.ContentLength}
			r = r.WithContext(context.WithValue(r.Context(), bodyKey{}, b))
			r.Body = b
			next.ServeHTTP(w, r)
		})
	}
}

type bodyKey struct{}

// limitedBody remembers that the cap was hit, so the error a decoder makes of
// it becomes a 413 whatever it was wrapped in.
type limitedBody struct {
	io.ReadCloser
	size     int64 // the declared length; -1 when chunked
	tooLarge atomic.Bool
}

func (b *limitedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		b.tooLarge.Store(true)
	}
	return n, err
}

// readAll reads a body into one buffer sized from its declared length, so an
// 8 MiB upload is held once rather than in doubling copies.
func readAll(r io.Reader) ([]byte, error) {
	var buf bytes.Buffer
	if b, ok := r.(*limitedBody); ok && b.size > 0 {
		buf.Grow(int(b.size) + bytes.MinRead)
	}
	_, err := buf.ReadFrom(r)
	return buf.Bytes(), err
}

func bodyTooLarge(r *http.Request) bool {
	b, ok := r.Context().Value(bodyKey{}).(*limitedBody)
	return ok && b.tooLarge.Load()
}

func writeTooLarge(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Connection", "close") // the rest of the body is not read
	renderStatusCode(w, status.New(codes.InvalidArgument, "request body is too large"), http.StatusRequestEntityTooLarge)
}

// headAsGet serves HEAD on every GET route: the handler runs as for GET and
// net/http drops the body, keeping the headers.
func headAsGet(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead {
			r = r.Clone(r.Context())
			r.Method = http.MethodGet
		}
		next.ServeHTTP(w, r)
	})
}
