package app

import (
	"context"

	"github.com/jangteo/jangteo/platform/errs"
	"github.com/jangteo/jangteo/platform/images"
	"github.com/jangteo/jangteo/services/catalog/internal/domain"
)

// MaxImageBytes is the largest picture UploadProductImage accepts. The
// request carries it in one gRPC message; the platform's servers accept 8 MiB
// and the gateway's body limit leaves room for its base64 form.
const MaxImageBytes = images.DefaultMaxBytes

// UploadProductImage checks a picture by its bytes (JPEG, PNG, WebP or GIF,
// at most MaxImageBytes, agreeing with the declared type), stores it and
// appends its URL to the product's pictures.
func (a *App) UploadProductImage(ctx context.Context, slugOrID, declaredType string, data []byte) (string, domain.Product, error) {
	p, err := a.store.Product(ctx, slugOrID)
	if err != nil {
		return "", domain.Product{}, err
	}
	contentType, err := images.Check(data, declaredType, MaxImageBytes)
	if err != nil {
		return "", domain.Product{}, errs.InvalidFields(errs.Field("data", err.Error()))
	}
	key, err := images.NewKey("products/"+p.ID, contentType)
	if err != nil {
		return "", domain.Product{}, err
	}
	url, err := a.images.Put(ctx, key, contentType, data)
	if err != nil {
		return "", domain.Product{}, err
	}
	p, err = a.updateProduct(ctx, p.ID, func(p *domain.Product) (domain.ProductChange, error) {
		if len(p.ImageURLs) >= 20 {
			return 0, errs.InvalidFields(errs.Field("data", "a product has at most 20 pictures"))
		}
		p.ImageURLs = append(p.ImageURLs, url)
		return domain.ProductUpdated, nil
	})
	return url, p, err
}
