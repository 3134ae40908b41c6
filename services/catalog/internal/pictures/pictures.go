// Package pictures checks and stores an uploaded picture of a catalog
// product (goods or a space) in the shared picture store.
package pictures

import (
	"context"

	"github.com/jangteo/jangteo/platform/errs"
	"github.com/jangteo/jangteo/platform/images"
)

// MaxBytes is the largest picture an upload accepts. The request carries it
// in one gRPC message; the platform's servers accept 8 MiB and the gateway's
// body limit leaves room for its base64 form.
const MaxBytes = images.DefaultMaxBytes

// Store saves a picture under key and returns the URL clients load it from.
type Store interface {
	Put(ctx context.Context, key, contentType string, data []byte) (url string, err error)
}

// Save checks a picture by its bytes (JPEG, PNG, WebP or GIF, at most
// MaxBytes, agreeing with the declared type; else a 400 naming "data"),
// stores it under prefix and returns its URL.
func Save(ctx context.Context, s Store, prefix, declaredType string, data []byte) (string, error) {
	contentType, err := images.Check(data, declaredType, MaxBytes)
	if err != nil {
		return "", errs.InvalidFields(errs.Field("data", err.Error()))
	}
	key, err := images.NewKey(prefix, contentType)
	if err != nil {
		return "", err
	}
	return s.Put(ctx, key, contentType, data)
}
