package cart_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"

	cartv1 "github.com/jangteo/jangteo/gen/go/jangteo/cart/v1"
	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
)

func TestAnonymousCart(t *testing.T) {
	t.Parallel()
	e := start(t, startOptions{})
	s := newShop(t, e)

	var header metadata.MD
	added, err := e.client.AddCartItem(anon(""), &cartv1.AddCartItemRequest{Product: s.bag.GetSlug(), Quantity: 2}, grpc.Header(&header))
	if err != nil {
		t.Fatal(err)
	}
	token := added.GetCartToken()
	if raw, err := base64.RawURLEncoding.DecodeString(token); err != nil || len(raw) != 32 {
		t.Fatalf("cart token %q is not 32 random bytes in base64url", token)
	}
	if got := header.Get("x-cart-token"); len(got) != 1 || got[0] != token {
		t.Fatalf("x-cart-token header = %v, want %q", got, token)
	}
	// An add answers 200 whether or not it created the cart (the token says so).
	if got := header.Get("x-http-code"); len(got) != 0 {
		t.Fatalf("x-http-code = %v, want none (200)", got)
	}
	// Only the token's hash is stored.
	var stored []byte
	if err := e.db.QueryRow(context.Background(), `SELECT token_hash FROM carts WHERE id = $1`, added.GetCart().GetId()).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if sum := sha256.Sum256([]byte(token)); string(stored) != string(sum[:]) {
		t.Fatal("stored token hash is not SHA-256 of the token")
	}

	// The token names the cart from now on; a second add is not a creation.
	header = nil
	again, err := e.client.AddCartItem(anon(token), &cartv1.AddCartItemRequest{Product: s.bag.GetId(), Quantity: 1}, grpc.Header(&header))
	if err != nil {
		t.Fatal(err)
	}
	if again.GetCart().GetId() != added.GetCart().GetId() || again.GetCartToken() != "" || len(header.Get("x-http-code")) != 0 {
		t.Fatalf("second add = %v (header %v)", again, header)
	}
	got := must(e.client.GetCart(anon(token), &cartv1.GetCartRequest{})).GetCart()
	if len(got.GetLines()) != 1 || got.GetLines()[0].GetQuantity() != 3 || got.GetItemCount() != 3 {
		t.Fatalf("cart = %v", got)
	}

	// No token: an empty cart. A token nobody issued: 404.
	if empty := must(e.client.GetCart(anon(""), &cartv1.GetCartRequest{})).GetCart(); empty.GetId() != "" || len(empty.GetLines()) != 0 {
		t.Fatalf("cart without token = %v", empty)
	}
	forged := base64.RawURLEncoding.EncodeToString(make([]byte, 32))
	for _, tok := range []string{forged, "not-a-token"} {
		_, err := e.client.GetCart(anon(tok), &cartv1.GetCartRequest{})
		wantCode(t, err, codes.NotFound, "CART_NOT_FOUND", "")
		_, err = e.client.AddCartItem(anon(tok), &cartv1.AddCartItemRequest{Product: s.bag.GetSlug(), Quantity: 1})
		wantCode(t, err, codes.NotFound, "CART_NOT_FOUND", "")
	}

	// A signed-in user has one cart of their own; their first add creates it.
	header = nil
	mine, err := e.client.AddCartItem(e.user("u-1"), &cartv1.AddCartItemRequest{Product: s.bag.GetSlug(), Quantity: 1}, grpc.Header(&header))
	if err != nil {
		t.Fatal(err)
	}
	if mine.GetCartToken() != "" || len(header.Get("x-cart-token")) != 0 || len(header.Get("x-http-code")) != 0 {
		t.Fatalf("a user's first add = %v, header %v", mine, header)
	}
	second := must(e.client.AddCartItem(e.user("u-1"), &cartv1.AddCartItemRequest{Product: s.bag.GetSlug(), Quantity: 1}))
	if second.GetCart().GetId() != mine.GetCart().GetId() || second.GetCart().GetItemCount() != 2 {
		t.Fatalf("user cart after second add = %v", second.GetCart())
	}
}

func TestLines(t *testing.T) {
	t.Parallel()
	e := start(t, startOptions{})
	s := newShop(t, e)
	ctx := e.user("u-lines")

	a := must(e.client.AddCartItem(ctx, &cartv1.AddCartItemRequest{Product: s.shoe.GetSlug(), Options: size("260"), Quantity: 1}))
	// The same variant, named by id, raises the same line.
	b := must(e.client.AddCartItem(ctx, &cartv1.AddCartItemRequest{VariantId: variant(t, s.shoe, "260").GetId(), Quantity: 2}))
	if a.GetLineId() != b.GetLineId() || len(b.GetCart().GetLines()) != 1 || b.GetCart().GetLines()[0].GetQuantity() != 3 {
		t.Fatalf("same variant twice = %v", b.GetCart())
	}
	// Another option makes another line.
	c := must(e.client.AddCartItem(ctx, &cartv1.AddCartItemRequest{Product: s.shoe.GetId(), Options: size("270"), Quantity: 1}))
	if c.GetLineId() == a.GetLineId() || len(c.GetCart().GetLines()) != 2 {
		t.Fatalf("other variant = %v", c.GetCart())
	}
	line := a.GetLineId()
	quantity := func(cart *cartv1.Cart, id string) int32 {
		for _, l := range cart.GetLines() {
			if l.GetId() == id {
				return l.GetQuantity()
			}
		}
		return 0
	}
	if got := quantity(must(e.client.UpdateCartItem(ctx, &cartv1.UpdateCartItemRequest{Id: line, Quantity: 5})).GetCart(), line); got != 5 {
		t.Fatalf("after PATCH 5: %d", got)
	}
	if got := quantity(must(e.client.IncrementCartItem(ctx, &cartv1.IncrementCartItemRequest{Id: line})).GetCart(), line); got != 6 {
		t.Fatalf("after increment: %d", got)
	}
	if got := quantity(must(e.client.DecrementCartItem(ctx, &cartv1.DecrementCartItemRequest{Id: line})).GetCart(), line); got != 5 {
		t.Fatalf("after decrement: %d", got)
	}
	// PATCH 0 removes; decrementing the last unit removes.
	if cart := must(e.client.UpdateCartItem(ctx, &cartv1.UpdateCartItemRequest{Id: line, Quantity: 0})).GetCart(); len(cart.GetLines()) != 1 {
		t.Fatalf("after PATCH 0: %v", cart)
	}
	if cart := must(e.client.DecrementCartItem(ctx, &cartv1.DecrementCartItemRequest{Id: c.GetLineId()})).GetCart(); len(cart.GetLines()) != 0 {
		t.Fatalf("after decrementing the last unit: %v", cart)
	}
	_, err := e.client.IncrementCartItem(ctx, &cartv1.IncrementCartItemRequest{Id: line})
	wantCode(t, err, codes.NotFound, "CART_LINE_NOT_FOUND", "")

	d := must(e.client.AddCartItem(ctx, &cartv1.AddCartItemRequest{Product: s.bag.GetSlug(), Quantity: 1}))
	must(e.client.AddCartItem(ctx, &cartv1.AddCartItemRequest{Product: s.shoe.GetSlug(), Options: size("260"), Quantity: 1}))
	if cart := must(e.client.RemoveCartItem(ctx, &cartv1.RemoveCartItemRequest{Id: d.GetLineId()})).GetCart(); len(cart.GetLines()) != 1 {
		t.Fatalf("after DELETE line: %v", cart)
	}
	cleared := must(e.client.ClearCart(ctx, &cartv1.ClearCartRequest{})).GetCart()
	if len(cleared.GetLines()) != 0 || cleared.GetId() != d.GetCart().GetId() {
		t.Fatalf("after clear: %v", cleared)
	}
}

func TestLineErrors(t *testing.T) {
	t.Parallel()
	e := start(t, startOptions{configure: func(c *cartConfig) { c.MaxLineQuantity = 5 }})
	s := newShop(t, e)
	ctx := e.user("u-errors")
	line := must(e.client.AddCartItem(ctx, &cartv1.AddCartItemRequest{Product: s.bag.GetSlug(), Quantity: 4})).GetLineId()
	archived := must(e.catalog.CreateProduct(e.staff(), &catalogv1.CreateProductRequest{Name: "Old", CategoryId: s.bag.GetCategoryId(), Price: krw(1), Stock: 3})).GetProduct()
	must(e.catalog.ArchiveProduct(e.staff(), &catalogv1.ArchiveProductRequest{Id: archived.GetId()}))

	tests := []struct {
		name   string
		req    *cartv1.AddCartItemRequest
		code   codes.Code
		reason string
		field  string
	}{
		{"unknown product", &cartv1.AddCartItemRequest{Product: "no-such-thing", Quantity: 1}, codes.NotFound, "PRODUCT_NOT_FOUND", "product"},
		{"unknown option value", &cartv1.AddCartItemRequest{Product: s.shoe.GetSlug(), Options: size("999"), Quantity: 1}, codes.NotFound, "VARIANT_NOT_FOUND", "options"},
		{"options missing", &cartv1.AddCartItemRequest{Product: s.shoe.GetSlug(), Quantity: 1}, codes.NotFound, "VARIANT_NOT_FOUND", "options"},
		{"unknown variant", &cartv1.AddCartItemRequest{VariantId: "0190a5e0-0000-7000-8000-000000000000", Quantity: 1}, codes.NotFound, "VARIANT_NOT_FOUND", "variant_id"},
		{"variant of another product", &cartv1.AddCartItemRequest{Product: s.bag.GetSlug(), VariantId: variant(t, s.shoe, "260").GetId(), Quantity: 1}, codes.NotFound, "VARIANT_NOT_FOUND", "variant_id"},
		{"nothing named", &cartv1.AddCartItemRequest{Quantity: 1}, codes.InvalidArgument, "INVALID_ARGUMENT", "product"},
		{"zero quantity", &cartv1.AddCartItemRequest{Product: s.bag.GetSlug()}, codes.InvalidArgument, "", "quantity"},
		{"negative quantity", &cartv1.AddCartItemRequest{Product: s.bag.GetSlug(), Quantity: -1}, codes.InvalidArgument, "", "quantity"},
		{"over the cap at once", &cartv1.AddCartItemRequest{Product: s.bag.GetSlug(), Quantity: 6}, codes.InvalidArgument, "INVALID_ARGUMENT", "quantity"},
		{"over the cap in total", &cartv1.AddCartItemRequest{Product: s.bag.GetSlug(), Quantity: 2}, codes.InvalidArgument, "QUANTITY_LIMIT", "quantity"},
		{"out of stock", &cartv1.AddCartItemRequest{Product: s.cap.GetSlug(), Quantity: 1}, codes.InvalidArgument, "OUT_OF_STOCK", "product"},
		{"archived product", &cartv1.AddCartItemRequest{Product: archived.GetSlug(), Quantity: 1}, codes.InvalidArgument, "VARIANT_UNAVAILABLE", "product"},
		{"malformed variant id", &cartv1.AddCartItemRequest{VariantId: "x", Quantity: 1}, codes.InvalidArgument, "", "variant_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.client.AddCartItem(ctx, tt.req)
			wantCode(t, err, tt.code, tt.reason, tt.field)
		})
	}
	// Nothing above changed the cart.
	if cart := must(e.client.GetCart(ctx, &cartv1.GetCartRequest{})).GetCart(); len(cart.GetLines()) != 1 || cart.GetItemCount() != 4 {
		t.Fatalf("cart after failed adds = %v", cart)
	}

	_, err := e.client.UpdateCartItem(ctx, &cartv1.UpdateCartItemRequest{Id: line, Quantity: 6})
	wantCode(t, err, codes.InvalidArgument, "", "quantity")
	_, err = e.client.UpdateCartItem(ctx, &cartv1.UpdateCartItemRequest{Id: line, Quantity: -1})
	wantCode(t, err, codes.InvalidArgument, "", "quantity")
	must(e.client.UpdateCartItem(ctx, &cartv1.UpdateCartItemRequest{Id: line, Quantity: 5}))
	_, err = e.client.IncrementCartItem(ctx, &cartv1.IncrementCartItemRequest{Id: line})
	wantCode(t, err, codes.InvalidArgument, "QUANTITY_LIMIT", "id")
	_, err = e.client.UpdateCartItem(ctx, &cartv1.UpdateCartItemRequest{Id: "not-a-uuid", Quantity: 1})
	wantCode(t, err, codes.InvalidArgument, "", "id")
}
