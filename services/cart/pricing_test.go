package cart_test

import (
	"testing"

	cartv1 "github.com/jangteo/jangteo/gen/go/jangteo/cart/v1"
	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
)

func lineOf(t *testing.T, c *cartv1.Cart, variantID string) *cartv1.CartLine {
	t.Helper()
	for _, l := range c.GetLines() {
		if l.GetVariantId() == variantID {
			return l
		}
	}
	t.Fatalf("no line for variant %s in %v", variantID, c)
	return nil
}

func TestPricing(t *testing.T) {
	t.Parallel()
	e := start(t, startOptions{})
	s := newShop(t, e)
	ctx := e.user("u-price")
	v260, v270, bag := variant(t, s.shoe, "260").GetId(), variant(t, s.shoe, "270").GetId(), variant(t, s.bag, "").GetId()
	must(e.client.AddCartItem(ctx, &cartv1.AddCartItemRequest{VariantId: v260, Quantity: 2}))
	must(e.client.AddCartItem(ctx, &cartv1.AddCartItemRequest{VariantId: v270, Quantity: 1}))
	must(e.client.AddCartItem(ctx, &cartv1.AddCartItemRequest{VariantId: bag, Quantity: 3}))

	before := e.front.batches.Load()
	c := must(e.client.GetCart(ctx, &cartv1.GetCartRequest{})).GetCart()
	if calls := e.front.batches.Load() - before; calls != 1 {
		t.Fatalf("GetCart made %d BatchGetVariants calls for 3 lines, want 1", calls)
	}
	// 2 × 100,000 + 1 × 120,000 (override) + 3 × 19,000 = 377,000; 2 % = 7,540.
	if c.GetSubtotal().GetAmount() != 377000 || c.GetTax().GetAmount() != 7540 || c.GetGrandTotal().GetAmount() != 384540 ||
		c.GetSubtotal().GetCurrency() != "KRW" || c.GetItemCount() != 6 || c.GetTaxRateBp() != 200 || !c.GetPriced() || !c.GetCheckoutReady() {
		t.Fatalf("totals = %v", c)
	}
	shoe := lineOf(t, c, v270)
	if shoe.GetUnitPrice().GetAmount() != 120000 || shoe.GetLineTotal().GetAmount() != 120000 || shoe.GetProductName() != "Runner" ||
		shoe.GetImageUrl() != "https://img.example/runner.jpg" || shoe.GetOptions()["size"] != "270" || shoe.GetSku() != "RUN-270" ||
		shoe.GetStatus() != cartv1.LineStatus_LINE_STATUS_OK || shoe.GetProductSlug() != s.shoe.GetSlug() ||
		shoe.AvailableQuantity != nil {
		t.Fatalf("270 line = %v", shoe)
	}

	// Stock and availability change in the catalog: lines are flagged with the
	// reason and leave the totals; the item count still counts them.
	staff := e.staff()
	zero, one := int32(0), int32(1)
	must(e.catalog.UpdateVariant(staff, &catalogv1.UpdateVariantRequest{Id: v260, Stock: &one}))
	must(e.catalog.UpdateVariant(staff, &catalogv1.UpdateVariantRequest{Id: v270, Stock: &zero}))
	off := false
	must(e.catalog.UpdateProduct(staff, &catalogv1.UpdateProductRequest{Id: s.bag.GetId(), Available: &off}))
	c = must(e.client.GetCart(ctx, &cartv1.GetCartRequest{})).GetCart()
	tests := []struct {
		variant string
		status  cartv1.LineStatus
		left    int32
	}{
		{v260, cartv1.LineStatus_LINE_STATUS_INSUFFICIENT_STOCK, 1},
		{v270, cartv1.LineStatus_LINE_STATUS_OUT_OF_STOCK, 0},
		{bag, cartv1.LineStatus_LINE_STATUS_UNAVAILABLE, 0},
	}
	for _, tt := range tests {
		if l := lineOf(t, c, tt.variant); l.GetStatus() != tt.status || l.GetAvailableQuantity() != tt.left {
			t.Errorf("line %s = %v, want %v with %d left", tt.variant, l, tt.status, tt.left)
		}
	}
	if c.GetSubtotal().GetAmount() != 0 || c.GetGrandTotal().GetAmount() != 0 || c.GetItemCount() != 6 || c.GetCheckoutReady() {
		t.Fatalf("totals with every line flagged = %v", c)
	}

	// With the catalog down the cart still shows, unpriced.
	e.front.down.Store(true)
	c = must(e.client.GetCart(ctx, &cartv1.GetCartRequest{})).GetCart()
	if c.GetPriced() || len(c.GetLines()) != 3 || c.GetLines()[0].GetStatus() != cartv1.LineStatus_LINE_STATUS_UNPRICED || c.GetLines()[0].GetProductName() == "" {
		t.Fatalf("cart with the catalog down = %v", c)
	}
}

func TestTaxRateIsConfigurable(t *testing.T) {
	t.Parallel()
	e := start(t, startOptions{configure: func(c *cartConfig) { c.TaxRateBasisPoints = 1000 }})
	s := newShop(t, e)
	c := must(e.client.AddCartItem(e.user("u-tax"), &cartv1.AddCartItemRequest{Product: s.bag.GetSlug(), Quantity: 1})).GetCart()
	if c.GetTax().GetAmount() != 1900 || c.GetGrandTotal().GetAmount() != 20900 || c.GetTaxRateBp() != 1000 {
		t.Fatalf("10 %% of 19,000: %v", c)
	}
}
