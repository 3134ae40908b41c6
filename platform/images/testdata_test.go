package images

import (
	"bytes"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"testing"
)

// sample returns a small real image of contentType, so the tests exercise
// the same sniffing a real upload goes through.
func sample(t testing.TB, contentType string) []byte {
	t.Helper()
	img := image.NewPaletted(image.Rect(0, 0, 4, 4), color.Palette{color.Black, color.White})
	var buf bytes.Buffer
	var err error
	switch contentType {
	case "image/png":
		err = png.Encode(&buf, img)
	case "image/jpeg":
		err = jpeg.Encode(&buf, img, nil)
	case "image/gif":
		err = gif.Encode(&buf, img, nil)
	case "image/webp":
		// The standard library has no WebP encoder; this is the header of a
		// lossless 1×1 WebP, which is all that sniffing looks at.
		buf.WriteString("RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00")
	default:
		t.Fatalf("sample: no sample for %s", contentType)
	}
	if err != nil {
		t.Fatalf("sample %s: %v", contentType, err)
	}
	return buf.Bytes()
}
