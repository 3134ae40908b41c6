package gateway

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/jangteo/jangteo/platform/errs"
)

func TestClientIPIsTheRightMostUntrustedAddress(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, remote string
		xff          []string
		want         string
	}{
		{"behind an appending proxy, a spoofed left entry is ignored", "10.0.0.5:1234", []string{"6.6.6.6, 203.0.113.7"}, "203.0.113.7"},
		{"several trusted hops are skipped", "10.0.0.5:1234", []string{"203.0.113.7, 10.0.0.9", "10.0.0.8"}, "203.0.113.7"},
		{"a direct client's header is not believed", "198.51.100.1:1234", []string{"203.0.113.7"}, "198.51.100.1"},
		{"garbage stops the walk", "10.0.0.5:1234", []string{"203.0.113.7, nonsense, 10.0.0.9"}, "10.0.0.9"},
		{"no header: the proxy itself", "10.0.0.5:1234", nil, "10.0.0.5"},
		{"IPv4-mapped IPv6 is unmapped", "[::1]:1234", []string{"::ffff:203.0.113.7"}, "203.0.113.7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got string
			h := clientIP(true, privateNetworks)(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { got = requestIP(r) }))
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tt.remote
			for _, v := range tt.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			h.ServeHTTP(httptest.NewRecorder(), r)
			if got != tt.want {
				t.Fatalf("client = %q, want %q", got, tt.want)
			}
		})
	}
}

// A service's own 503 keeps its reason and Retry-After through the gateway;
// only a transport failure (no details) gets the generic one.
func TestUnavailableKeepsTheServicesReason(t *testing.T) {
	t.Parallel()
	provider := errs.New(errs.Unavailable, "PROVIDER_UNAVAILABLE", "Kakao is not answering: try again shortly").After(30 * time.Second)
	st, _ := errs.ToStatus(provider)
	tests := []struct {
		err        error
		reason     string
		retryAfter string
	}{
		{st.Err(), "PROVIDER_UNAVAILABLE", "30"},
		{status.Error(codes.Unavailable, "connection refused"), "SERVICE_UNAVAILABLE", "1"},
	}
	for _, tt := range tests {
		w := httptest.NewRecorder()
		errorHandler(zaptest.NewLogger(t))(t.Context(), nil, nil, w, httptest.NewRequest("GET", "/v1/x", nil), tt.err)
		if w.Code != http.StatusServiceUnavailable || !strings.Contains(w.Body.String(), tt.reason) || w.Header().Get("Retry-After") != tt.retryAfter {
			t.Fatalf("= %d %v %s; want 503 %s Retry-After %s", w.Code, w.Header(), w.Body, tt.reason, tt.retryAfter)
		}
		if strings.Contains(w.Body.String(), "connection refused") {
			t.Fatalf("transport detail leaked: %s", w.Body)
		}
	}
}
