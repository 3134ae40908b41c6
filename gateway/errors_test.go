package gateway

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"go.uber.org/zap/zaptest"

	"github.com/jangteo/jangteo/platform/errs"
	"github.com/jangteo/jangteo/platform/idempotency"
)

// The idempotency-key answers, as a frontend sees them.
func TestIdempotencyErrorsOverHTTP(t *testing.T) {
	t.Parallel()
	handle := errorHandler(zaptest.NewLogger(t))
	tests := []struct {
		name       string
		err        error
		status     int
		retryAfter string
	}{
		{"missing key", idempotency.ErrKeyMissing.WithFields(errs.Field(idempotency.Header, "needed")), http.StatusBadRequest, ""},
		{"key reused for another request", idempotency.ErrKeyReused, http.StatusUnprocessableEntity, ""},
		{"key in flight", idempotency.ErrKeyInUse.After(time.Second), http.StatusConflict, "1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, _ := errs.ToStatus(tt.err)
			w := httptest.NewRecorder()
			r := httptest.NewRequest("POST", "/v1/orders", nil)
			handle(context.Background(), runtime.NewServeMux(), &runtime.JSONPb{}, w, r, st.Err())
			if w.Code != tt.status || w.Header().Get("Retry-After") != tt.retryAfter {
				t.Fatalf("status %d, Retry-After %q; want %d, %q", w.Code, w.Header().Get("Retry-After"), tt.status, tt.retryAfter)
			}
			var body struct{ Code int }
			if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || body.Code != int(st.Code()) {
				t.Fatalf("body %s", w.Body)
			}
		})
	}
}

func TestIdempotencyHeadersAreForwarded(t *testing.T) {
	t.Parallel()
	if key, ok := incomingHeader("Idempotency-Key"); !ok || key != idempotency.MetadataKey {
		t.Fatalf("Idempotency-Key → %q %v; want metadata %q", key, ok, idempotency.MetadataKey)
	}
	if h, ok := outgoingHeader(idempotency.ReplayedHeader); !ok || h != "Idempotent-Replayed" {
		t.Fatalf("%s → %q %v", idempotency.ReplayedHeader, h, ok)
	}
}
