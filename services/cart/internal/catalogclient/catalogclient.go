// Package catalogclient implements the cart's app.Catalog over the catalog
// service's gRPC API.
package catalogclient

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
	"github.com/jangteo/jangteo/services/cart/internal/domain"
)

// batchLimit is BatchGetVariants' documented maximum of ids per call.
const batchLimit = 500

// Client asks the catalog about variants.
type Client struct {
	api catalogv1.CatalogServiceClient
}

// New returns a client over the catalog's gRPC API.
func New(api catalogv1.CatalogServiceClient) *Client { return &Client{api: api} }

// ResolveVariant finds the variant a shopper chose: by id, or by product and
// option values (exactly one value for each of the product's options; none
// for a product without options).
func (c *Client) ResolveVariant(ctx context.Context, ref domain.VariantRef) (domain.Variant, error) {
	id := ref.VariantID
	if id == "" {
		resp, err := c.api.GetProduct(ctx, &catalogv1.GetProductRequest{Slug: ref.Product})
		if err != nil {
			return domain.Variant{}, translate(err, domain.FieldError(domain.ErrProductNotFound, "product", fmt.Sprintf("no product %q", ref.Product)))
		}
		p := resp.GetProduct()
		for _, v := range p.GetVariants() {
			if sameOptions(v.GetOptions(), ref.Options) {
				id = v.GetId()
				break
			}
		}
		if id == "" {
			return domain.Variant{}, domain.FieldError(domain.ErrVariantNotFound, "options",
				fmt.Sprintf("%q has no variant with these option values; choose %s", p.GetName(), describeOptions(p.GetOptions())))
		}
	}
	found, err := c.variants(ctx, []string{id})
	if err != nil {
		return domain.Variant{}, err
	}
	v, ok := found[id]
	if !ok {
		return domain.Variant{}, domain.FieldError(domain.ErrVariantNotFound, ref.Field(), fmt.Sprintf("no variant %s", id))
	}
	if ref.VariantID != "" && ref.Product != "" && ref.Product != v.ProductID && ref.Product != v.ProductSlug {
		return domain.Variant{}, domain.FieldError(domain.ErrVariantNotFound, "variant_id",
			fmt.Sprintf("variant %s is not a variant of %q", id, ref.Product))
	}
	return v, nil
}

// Variants describes variants in as few BatchGetVariants calls as the
// catalog's limit allows (one for any real cart).
func (c *Client) Variants(ctx context.Context, ids []string) (map[string]domain.Variant, error) {
	return c.variants(ctx, ids)
}

func (c *Client) variants(ctx context.Context, ids []string) (map[string]domain.Variant, error) {
	out := make(map[string]domain.Variant, len(ids))
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	for chunk := range slices.Chunk(ids, batchLimit) {
		resp, err := c.api.BatchGetVariants(ctx, &catalogv1.BatchGetVariantsRequest{VariantIds: chunk})
		if err != nil {
			return nil, translate(err, nil)
		}
		for _, v := range resp.GetVariants() {
			out[v.GetVariantId()] = toVariant(v)
		}
	}
	return out, nil
}

func toVariant(v *catalogv1.VariantDetail) domain.Variant {
	return domain.Variant{
		ID: v.GetVariantId(), ProductID: v.GetProductId(), ProductSlug: v.GetProductSlug(),
		ProductName: v.GetProductName(), ImageURL: v.GetImageUrl(), SKU: v.GetSku(),
		Options:   maps.Clone(v.GetOptions()),
		UnitPrice: domain.Money{Amount: v.GetUnitPrice().GetAmount(), Currency: v.GetUnitPrice().GetCurrency()},
		Stock:     v.GetStock(), Available: v.GetAvailable(),
	}
}

func sameOptions(have, want map[string]string) bool {
	if len(have) != len(want) {
		return false
	}
	for k, v := range want {
		if hv, ok := have[k]; !ok || hv != v {
			return false
		}
	}
	return true
}

func describeOptions(opts []*catalogv1.ProductOption) string {
	if len(opts) == 0 {
		return "no options (send none)"
	}
	parts := make([]string, 0, len(opts))
	for _, o := range opts {
		parts = append(parts, o.GetName()+" ∈ {"+strings.Join(o.GetValues(), ", ")+"}")
	}
	sort.Strings(parts)
	return strings.Join(parts, "; ")
}

// translate turns a catalog failure into the cart's vocabulary: not found (or
// a slug the catalog rejects) becomes notFound when given, an unreachable
// catalog domain.ErrCatalogUnavailable, anything else an internal error.
func translate(err, notFound error) error {
	switch status.Code(err) {
	case codes.NotFound, codes.InvalidArgument:
		if notFound != nil {
			return notFound
		}
	case codes.Unavailable, codes.DeadlineExceeded, codes.ResourceExhausted:
		return fmt.Errorf("%w: %v", domain.ErrCatalogUnavailable, err)
	}
	// Not %w: the catalog's status (say, its PermissionDenied) is not the
	// cart caller's; it is logged and the caller sees an internal error.
	return fmt.Errorf("catalog: %v", err)
}
