package gateway

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/genproto/googleapis/api/httpbody"
	"google.golang.org/grpc/metadata"

	"github.com/jangteo/jangteo/platform/grpcserver"
)

func TestRedirect(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		md           metadata.MD
		wantCode     int
		wantLocation string
	}{
		"see other":           {metadata.Pairs(grpcserver.HTTPCodeHeader, "303", grpcserver.LocationHeader, "https://shop.example/done?x=1"), 303, "https://shop.example/done?x=1"},
		"no location":         {metadata.Pairs(grpcserver.HTTPCodeHeader, "303"), 200, ""},
		"not a redirect code": {metadata.Pairs(grpcserver.HTTPCodeHeader, "201", grpcserver.LocationHeader, "https://x"), 200, ""},
		"nothing asked":       {metadata.MD{}, 200, ""},
	} {
		t.Run(name, func(t *testing.T) {
			ctx := runtime.NewServerMetadataContext(context.Background(), runtime.ServerMetadata{HeaderMD: tc.md})
			w := httptest.NewRecorder()
			if err := redirect(ctx, w, nil); err != nil {
				t.Fatal(err)
			}
			if w.Code != tc.wantCode || w.Header().Get("Location") != tc.wantLocation {
				t.Fatalf("redirect = %d %q, want %d %q", w.Code, w.Header().Get("Location"), tc.wantCode, tc.wantLocation)
			}
		})
	}
}

func TestHTTPBodyKeepsItsContentType(t *testing.T) {
	t.Parallel()
	m := withHTTPBody(&runtime.JSONPb{})
	page := &httpbody.HttpBody{ContentType: "text/html; charset=utf-8", Data: []byte("<p>hi</p>")}
	if got := m.ContentType(page); got != "text/html; charset=utf-8" {
		t.Fatalf("content type = %q", got)
	}
	if b, err := m.Marshal(page); err != nil || string(b) != "<p>hi</p>" {
		t.Fatalf("body = %q, %v", b, err)
	}
	if got := m.ContentType(&httpbody.HttpBody{}); got != "" {
		t.Fatalf("content type of a body without one = %q", got)
	}
	if got := m.ContentType(struct{}{}); got != "application/json" {
		t.Fatalf("content type of a message = %q", got)
	}
}
