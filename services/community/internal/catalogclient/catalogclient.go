// Package catalogclient implements the community's app.Catalog over the
// catalog service's gRPC API.
package catalogclient

import (
	"context"
	"fmt"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
	"github.com/jangteo/jangteo/services/community/internal/domain"
)

// Client asks the catalog about products.
type Client struct {
	api catalogv1.CatalogServiceClient
}

// New returns a client over the catalog's gRPC API.
func New(api catalogv1.CatalogServiceClient) *Client { return &Client{api: api} }

// Product describes the product with slug (or id) ref; a product the
// catalog does not know is domain.ErrProductNotFound naming field.
func (c *Client) Product(ctx context.Context, ref, field string) (domain.TaggedProduct, error) {
	resp, err := c.api.GetProduct(ctx, &catalogv1.GetProductRequest{Slug: ref})
	switch status.Code(err) {
	case codes.OK:
	case codes.NotFound, codes.InvalidArgument:
		return domain.TaggedProduct{}, domain.FieldError(domain.ErrProductNotFound, field, fmt.Sprintf("no product %q in the catalog", ref))
	case codes.Unavailable, codes.DeadlineExceeded, codes.ResourceExhausted:
		return domain.TaggedProduct{}, fmt.Errorf("%w: %v", domain.ErrCatalogUnavailable, err)
	default:
		// Not %w: the catalog's status is not the community caller's.
		return domain.TaggedProduct{}, fmt.Errorf("catalog: %v", err)
	}
	p := resp.GetProduct()
	out := domain.TaggedProduct{ID: p.GetId(), Slug: p.GetSlug(), Name: p.GetName()}
	if imgs := p.GetImageUrls(); len(imgs) > 0 {
		out.ImageURL = imgs[0]
	}
	return out, nil
}
