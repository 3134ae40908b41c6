package images

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"
)

// DefaultMaxBytes is the upload limit Check applies when given no limit:
// large enough for a phone photo, small enough to keep in memory per request.
const DefaultMaxBytes = 5 << 20

// Errors returned (wrapped) by Check. All of them mean the client sent a
// bad file, so callers map any of them to InvalidArgument naming the field.
var (
	ErrEmpty           = errors.New("images: empty file")
	ErrTooLarge        = errors.New("images: file too large")
	ErrUnsupportedType = errors.New("images: unsupported image type")
	ErrTypeMismatch    = errors.New("images: declared content type does not match the file")
)

// Check validates an uploaded image and returns its content type as sniffed
// from data: one of image/jpeg, image/png, image/webp or image/gif. SVG and
// anything else are refused because they could carry script or be served
// as something other than a picture. declared is the client's
// Content-Type; it may be empty or application/octet-stream (what many
// clients send for any file), otherwise it must agree with the bytes — a
// disagreement is more likely a mistake or a trick than a useful upload.
// maxBytes <= 0 means DefaultMaxBytes; the caller should also stop reading
// the request body at that size, since Check only sees what was read.
func Check(data []byte, declared string, maxBytes int) (contentType string, err error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	if len(data) == 0 {
		return "", ErrEmpty
	}
	if len(data) > maxBytes {
		return "", fmt.Errorf("%w: %d bytes, limit is %d", ErrTooLarge, len(data), maxBytes)
	}
	sniffed := http.DetectContentType(data)
	if _, ok := extensions[sniffed]; !ok {
		return "", fmt.Errorf("%w: content is %s, want JPEG, PNG, WebP or GIF", ErrUnsupportedType, sniffed)
	}
	if d := normalizeType(declared); d != "" && d != "application/octet-stream" && d != sniffed {
		return "", fmt.Errorf("%w: declared %s, content is %s", ErrTypeMismatch, declared, sniffed)
	}
	return sniffed, nil
}

// normalizeType lower-cases a media type, drops its parameters and maps the
// legacy names some clients still send to the standard ones.
func normalizeType(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if mt, _, err := mime.ParseMediaType(s); err == nil {
		s = mt
	}
	s = strings.ToLower(s)
	switch s {
	case "image/jpg", "image/pjpeg":
		return "image/jpeg"
	case "image/x-png":
		return "image/png"
	}
	return s
}
