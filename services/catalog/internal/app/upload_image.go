package app

import (
	"context"

	"github.com/jangteo/jangteo/platform/errs"
	"github.com/jangteo/jangteo/platform/images"
	"github.com/jangteo/jangteo/services/catalog/internal/domain"
)

// MaxImageBytes is the largest picture UploadProductImage accepts.
const MaxImageBytes = images.DefaultMaxBytes

// UploadProductImage checks a picture by its bytes (JPEG, PNG, WebP or GIF,
// at most MaxImageBytes, agreeing with the declared type), stores it and
// appends its URL to the product's pictures.
func (a *App) UploadProductImage(ctx context.Context, slugOrID, declaredType string, data []byte) (string, domain.Product, error) {
	p, err := a.store.Product(ctx, slugOrID)
	if err != nil {
		return "", domain.Product{}, err
	}
	url, err := images.Save(ctx, a.images, "products/"+p.ID, declaredType, data)
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
