package catalog_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"

	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
)

func TestUploadProductImage(t *testing.T) {
	t.Parallel()
	e := start(t)
	f := newFixture(t, e)
	staff := as(e.iss.Token("staff-1", "staff"))
	p := product(t, e, f.bags.GetId(), 1)

	img := image.NewRGBA(image.Rect(0, 0, 2, 2))
	img.Set(0, 0, color.RGBA{R: 255, A: 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	resp := must(e.client.UploadProductImage(staff, &catalogv1.UploadProductImageRequest{
		Slug: p.GetSlug(), ContentType: "image/png", Data: buf.Bytes(), Filename: "red.png",
	}))
	url := resp.GetUrl()
	if !strings.HasPrefix(url, "http://localhost:8080/media/products/"+p.GetId()+"/") || !strings.HasSuffix(url, ".png") {
		t.Fatalf("url = %q", url)
	}
	if imgs := resp.GetProduct().GetImageUrls(); len(imgs) != 1 || imgs[0] != url {
		t.Fatalf("image_urls = %v", imgs)
	}
	// The media handler serves it back under the URL's path below /media.
	h := e.svc.MediaHandler()
	if h == nil {
		t.Fatal("no media handler for the disk driver")
	}
	srv := httptest.NewServer(http.StripPrefix("/media", h))
	defer srv.Close()
	got, err := http.Get(srv.URL + strings.TrimPrefix(url, "http://localhost:8080"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if got.StatusCode != 200 || got.Header.Get("Content-Type") != "image/png" || !bytes.Equal(body, buf.Bytes()) {
		t.Fatalf("GET = %d %q (%d bytes)", got.StatusCode, got.Header.Get("Content-Type"), len(body))
	}

	bad := []struct {
		name string
		req  *catalogv1.UploadProductImageRequest
		code codes.Code
	}{
		{"not an image", &catalogv1.UploadProductImageRequest{Slug: p.GetSlug(), Data: []byte("<svg onload=alert(1)>")}, codes.InvalidArgument},
		{"type mismatch", &catalogv1.UploadProductImageRequest{Slug: p.GetSlug(), ContentType: "image/jpeg", Data: buf.Bytes()}, codes.InvalidArgument},
		{"too large", &catalogv1.UploadProductImageRequest{Slug: p.GetSlug(), Data: make([]byte, 5<<20+1)}, codes.InvalidArgument},
		{"empty", &catalogv1.UploadProductImageRequest{Slug: p.GetSlug()}, codes.InvalidArgument},
		{"unknown product", &catalogv1.UploadProductImageRequest{Slug: "nope", Data: buf.Bytes()}, codes.NotFound},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.client.UploadProductImage(staff, tt.req)
			wantCode(t, err, tt.code, map[codes.Code]string{codes.InvalidArgument: "data"}[tt.code])
		})
	}
	_, err = e.client.UploadProductImage(as(e.iss.Token("u", "customer")), &catalogv1.UploadProductImageRequest{Slug: p.GetSlug(), Data: buf.Bytes()})
	wantCode(t, err, codes.PermissionDenied, "")
}
