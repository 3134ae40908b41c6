package gateway

import (
	"net/http"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"

	"github.com/jangteo/jangteo/platform/errs"
	"github.com/jangteo/jangteo/platform/idempotency"
)

// checkIdempotencyKey answers 400 for a malformed Idempotency-Key before the
// call is made: grpc-gateway silently drops a header value that is not valid
// gRPC metadata (non-ASCII), and the service would then report the key missing.
// Whether a call needs a key at all is the service's to say; reads, which
// never take one, are left alone.
func checkIdempotencyKey(m runtime.Marshaler, onError runtime.ErrorHandlerFunc) middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			safe := r.Method == http.MethodGet || r.Method == http.MethodHead || r.Method == http.MethodOptions
			if values := r.Header.Values(idempotency.Header); len(values) > 0 && !safe {
				if _, err := idempotency.ParseKey(values...); err != nil {
					st, _ := errs.ToStatus(err)
					onError(r.Context(), nil, m, w, r, st.Err())
					return
				}
			}
			next.ServeHTTP(w, r)
		})
	}
}
