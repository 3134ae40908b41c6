// Package images stores uploaded pictures (products, spaces, posts) and hands back the public URL
// clients load them from.
//
// Uploads are checked with Check before they are stored: only JPEG, PNG,
// WebP and GIF are accepted, judged by their bytes rather than by what the
// client declared. Two stores implement Store: Disk (the default, served by
// this process through (*Disk).Handler) and S3 for any S3-compatible object
// storage. Keys are random and never reused, so every stored object is
// immutable and may be cached forever.
package images

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/jangteo/jangteo/platform/errs"
)

// Store saves images and returns the URLs clients fetch them from, and
// deletes them.
type Store interface {
	Putter
	// Delete removes the object key; one that is not there is no error.
	Delete(ctx context.Context, key string) error
}

// Putter stores images: what Save needs of a Store.
type Putter interface {
	// Put stores data under key with the given content type, replacing any
	// object with the same key, and returns its public URL. key must be a
	// valid key (see NewKey) whose extension matches contentType.
	Put(ctx context.Context, key string, contentType string, data []byte) (url string, err error)
}

// Drivers accepted in Config.Driver.
const (
	DriverDisk = "disk"
	DriverS3   = "s3"
)

// Defaults used when the corresponding Config field is empty. They suit
// `jangteo dev`, where the gateway listens on :8080 and serves /media.
const (
	DefaultDir           = ".data/images"
	DefaultPublicBaseURL = "http://localhost:8080/media"
)

// Config selects and configures the image store. It is filled once from
// flags or the environment in main (the env tags are the variables a
// service reads with platform/config) and passed to New.
type Config struct {
	// Driver is "disk" (the default when empty) or "s3".
	Driver string `env:"IMAGES_DRIVER"`
	// Dir is the disk store's root directory; DefaultDir when empty.
	Dir string `env:"IMAGES_DIR"`
	// PublicBaseURL is the URL prefix returned keys are appended to, e.g.
	// "http://localhost:8080/media" for disk or a CDN in front of a bucket.
	// Disk defaults to DefaultPublicBaseURL; S3 defaults to the bucket's
	// path-style URL on S3Endpoint.
	PublicBaseURL string `env:"IMAGES_PUBLIC_BASE_URL"`
	// S3Endpoint is host[:port] of the S3 API, e.g. "s3.ap-northeast-2.amazonaws.com"
	// or "minio:9000". A URL with a scheme is accepted too; its scheme then
	// decides TLS instead of S3UseSSL.
	S3Endpoint string `env:"S3_ENDPOINT"`
	// S3Bucket is the bucket objects are written to; it must exist.
	S3Bucket string `env:"S3_BUCKET"`
	// S3AccessKey and S3SecretKey are static credentials; both empty means
	// anonymous requests.
	S3AccessKey string `env:"S3_ACCESS_KEY"`
	S3SecretKey string `env:"S3_SECRET_KEY"`
	// S3UseSSL selects https for the S3 API.
	S3UseSSL bool `env:"S3_USE_SSL"`
	// S3Region is the bucket's region. Setting it saves the client a
	// bucket-location request before the first upload.
	S3Region string `env:"S3_REGION"`
}

// New returns the store cfg.Driver names. For the disk driver the Store is
// a *Disk, whose Handler the caller mounts under PublicBaseURL's path.
func New(cfg Config) (Store, error) {
	switch strings.ToLower(strings.TrimSpace(cfg.Driver)) {
	case "", DriverDisk:
		return NewDisk(cfg.Dir, cfg.PublicBaseURL)
	case DriverS3:
		return NewS3(cfg)
	default:
		return nil, fmt.Errorf("images: unknown driver %q (want %q or %q)", cfg.Driver, DriverDisk, DriverS3)
	}
}

// extensions lists, for each accepted content type, the file extensions a
// key may end with; the first is the one NewKey uses. Disk serves the
// content type back from the extension, so a key's extension must agree
// with the type it was stored with.
var extensions = map[string][]string{
	"image/jpeg": {".jpg", ".jpeg"},
	"image/png":  {".png"},
	"image/webp": {".webp"},
	"image/gif":  {".gif"},
}

// typeByExt is extensions inverted.
var typeByExt = func() map[string]string {
	m := make(map[string]string)
	for ct, exts := range extensions {
		for _, e := range exts {
			m[e] = ct
		}
	}
	return m
}()

// ErrInvalidKey reports a key that could escape the store's root, name a
// hidden file, or whose extension does not match the content type. Keys are
// built by the application (NewKey), so this is a programming error, not
// bad client input.
var ErrInvalidKey = errors.New("images: invalid key")

// maxKeyLen is S3's limit on object key length.
const maxKeyLen = 1024

// keySegment is one path segment of a key. It must start with a letter or
// digit, which rules out "", ".", ".." and hidden files (the disk store's
// temporary files start with a dot), and it contains no characters that
// need escaping in a URL.
var keySegment = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// NewKey returns a fresh key under prefix for an image of contentType, e.g.
// NewKey("products/0190…", "image/jpeg") → "products/0190…/k3x…q.jpg". The
// name is 128 random bits, so keys are unguessable and never collide, which
// is what lets stores mark objects immutable.
func NewKey(prefix, contentType string) (string, error) {
	exts, ok := extensions[contentType]
	if !ok {
		return "", fmt.Errorf("%w: %q", ErrUnsupportedType, contentType)
	}
	key := strings.ToLower(rand.Text()) + exts[0]
	if prefix = strings.Trim(prefix, "/"); prefix != "" {
		key = prefix + "/" + key
	}
	if err := checkKey(key, contentType); err != nil {
		return "", err
	}
	return key, nil
}

// checkKey reports whether key is a safe relative path of keySegments whose
// extension belongs to contentType.
func checkKey(key, contentType string) error {
	if _, ok := extensions[contentType]; !ok {
		return fmt.Errorf("%w: %q", ErrUnsupportedType, contentType)
	}
	ct, err := keyType(key)
	if err != nil {
		return err
	}
	if ct != contentType {
		return fmt.Errorf("%w: %q has the extension of %s, not %s", ErrInvalidKey, key, ct, contentType)
	}
	return nil
}

// keyType validates key's shape and returns the content type its extension
// stands for.
func keyType(key string) (string, error) {
	if key == "" || len(key) > maxKeyLen {
		return "", fmt.Errorf("%w: length %d", ErrInvalidKey, len(key))
	}
	for seg := range strings.SplitSeq(key, "/") {
		if !keySegment.MatchString(seg) {
			return "", fmt.Errorf("%w: %q", ErrInvalidKey, key)
		}
	}
	ct, ok := typeByExt[strings.ToLower(path.Ext(key))]
	if !ok {
		return "", fmt.Errorf("%w: %q has no image extension", ErrInvalidKey, key)
	}
	return ct, nil
}

// publicURL joins base and key. Keys contain only URL-safe characters
// (keySegment), so no escaping is needed.
func publicURL(base, key string) string {
	return strings.TrimRight(base, "/") + "/" + key
}

// Accept readies an upload for storing: it checks data by its bytes (JPEG,
// PNG, WebP or GIF, at most maxBytes, agreeing with the declared type) and
// draws its key under prefix. A picture it refuses is a 400 naming "data".
func Accept(data []byte, declaredType, prefix string, maxBytes int) (key, contentType string, err error) {
	if contentType, err = Check(data, declaredType, maxBytes); err != nil {
		return "", "", errs.InvalidFields(errs.Field("data", err.Error()))
	}
	if key, err = NewKey(prefix, contentType); err != nil {
		return "", "", err
	}
	return key, contentType, nil
}

// Save accepts an upload of at most DefaultMaxBytes (see Accept), stores it
// under prefix and returns its URL.
func Save(ctx context.Context, s Putter, prefix, declaredType string, data []byte) (string, error) {
	key, contentType, err := Accept(data, declaredType, prefix, DefaultMaxBytes)
	if err != nil {
		return "", err
	}
	return s.Put(ctx, key, contentType, data)
}
