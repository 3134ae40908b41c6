package clients

import (
	"context"
	"maps"
	"slices"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"

	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
	"github.com/jangteo/jangteo/platform/idempotency"
	"github.com/jangteo/jangteo/services/order/internal/app"
	"github.com/jangteo/jangteo/services/order/internal/domain"
)

// Catalog is app.Catalog over the catalog service.
type Catalog struct {
	api catalogv1.CatalogServiceClient
}

// NewCatalog returns the catalog client.
func NewCatalog(api catalogv1.CatalogServiceClient) *Catalog { return &Catalog{api: api} }

// Variants implements app.Catalog; unknown ids are absent from the map.
func (c *Catalog) Variants(ctx context.Context, ids []string) (map[string]app.Variant, error) {
	resp, err := c.api.BatchGetVariants(ctx, &catalogv1.BatchGetVariantsRequest{VariantIds: slices.Compact(slices.Sorted(slices.Values(ids)))})
	if err != nil {
		return nil, unavailable(err, domain.ErrCatalogDown, "catalog: variants")
	}
	out := make(map[string]app.Variant, len(resp.GetVariants()))
	for _, v := range resp.GetVariants() {
		out[v.GetVariantId()] = app.Variant{
			ProductID: v.GetProductId(), ProductName: v.GetProductName(), ProductSlug: v.GetProductSlug(),
			SKU: v.GetSku(), Options: maps.Clone(v.GetOptions()),
			UnitPrice: domain.Money{Amount: v.GetUnitPrice().GetAmount(), Currency: v.GetUnitPrice().GetCurrency()},
			Stock:     v.GetStock(), Available: v.GetAvailable(),
		}
	}
	return out, nil
}

// Reserve implements app.Catalog.
func (c *Catalog) Reserve(ctx context.Context, orderID string, lines []app.ReserveLine, ttl time.Duration) error {
	req := &catalogv1.ReserveStockRequest{OrderId: orderID, Ttl: durationpb.New(ttl)}
	for _, l := range lines {
		req.Lines = append(req.Lines, &catalogv1.ReserveLine{VariantId: l.VariantID, Quantity: l.Quantity})
	}
	_, err := c.api.ReserveStock(ctx, req)
	if err == nil {
		return nil
	}
	var kind error
	switch reason(err) {
	case "OUT_OF_STOCK":
		kind = domain.ErrOutOfStock
	case "NOT_ON_SALE", "VARIANT_NOT_FOUND":
		kind = domain.ErrNotOnSale
	case "RESERVATION_MISMATCH":
		// An earlier run of the same keyed checkout reserved other lines:
		// the cart changed between the two.
		return idempotency.ErrKeyReused.With("this Idempotency-Key already reserved other lines; the cart changed since, check out with a new key")
	case "RESERVATION_RELEASED":
		return domain.ErrCheckoutLapsed
	default:
		return unavailable(err, domain.ErrCatalogDown, "catalog: reserve")
	}
	// The catalog's message names the variant it failed on: "variant <id>: 3 wanted, 2 left".
	msg := message(err)
	se := &app.StockError{Err: kind, Detail: msg}
	for _, l := range lines {
		if strings.Contains(strings.ToLower(msg), strings.ToLower(l.VariantID)) {
			se.VariantID = l.VariantID
			_, se.Detail, _ = strings.Cut(msg, l.VariantID+": ")
			break
		}
	}
	return se
}

// Commit implements app.Catalog.
func (c *Catalog) Commit(ctx context.Context, orderID string) error {
	_, err := c.api.CommitReservation(ctx, &catalogv1.CommitReservationRequest{OrderId: orderID})
	if reason(err) == "RESERVATION_RELEASED" {
		return domain.ErrReservationReleased
	}
	if err != nil {
		return unavailable(err, domain.ErrCatalogDown, "catalog: commit")
	}
	return nil
}

// Release implements app.Catalog.
func (c *Catalog) Release(ctx context.Context, orderID string) error {
	if _, err := c.api.ReleaseReservation(ctx, &catalogv1.ReleaseReservationRequest{OrderId: orderID}); err != nil {
		return unavailable(err, domain.ErrCatalogDown, "catalog: release")
	}
	return nil
}
