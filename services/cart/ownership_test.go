package cart_test

import (
	"context"
	"testing"

	"google.golang.org/grpc/codes"

	cartv1 "github.com/jangteo/jangteo/gen/go/jangteo/cart/v1"
)

func TestOwnership(t *testing.T) {
	t.Parallel()
	e := start(t, startOptions{})
	s := newShop(t, e)
	alice := must(e.client.AddCartItem(e.user("alice"), &cartv1.AddCartItemRequest{Product: s.bag.GetSlug(), Quantity: 1}))
	anonCart := must(e.client.AddCartItem(anon(""), &cartv1.AddCartItemRequest{Product: s.bag.GetSlug(), Quantity: 1}))
	token := anonCart.GetCartToken()

	intruders := []struct {
		name string
		ctx  context.Context
		line string
	}{
		{"another user on alice's line", e.user("bob"), alice.GetLineId()},
		{"a cart token on alice's line", anon(token), alice.GetLineId()},
		{"no credentials on alice's line", anon(""), alice.GetLineId()},
		{"a user on an anonymous cart's line", e.user("bob"), anonCart.GetLineId()},
		{"another anonymous cart on this one's line", anon(must(e.client.AddCartItem(anon(""), &cartv1.AddCartItemRequest{Product: s.bag.GetSlug(), Quantity: 1})).GetCartToken()), anonCart.GetLineId()},
	}
	for _, tt := range intruders {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.client.UpdateCartItem(tt.ctx, &cartv1.UpdateCartItemRequest{Id: tt.line, Quantity: 5})
			wantCode(t, err, codes.NotFound, "CART_LINE_NOT_FOUND", "")
			_, err = e.client.IncrementCartItem(tt.ctx, &cartv1.IncrementCartItemRequest{Id: tt.line})
			wantCode(t, err, codes.NotFound, "CART_LINE_NOT_FOUND", "")
			_, err = e.client.DecrementCartItem(tt.ctx, &cartv1.DecrementCartItemRequest{Id: tt.line})
			wantCode(t, err, codes.NotFound, "CART_LINE_NOT_FOUND", "")
			_, err = e.client.RemoveCartItem(tt.ctx, &cartv1.RemoveCartItemRequest{Id: tt.line})
			wantCode(t, err, codes.NotFound, "CART_LINE_NOT_FOUND", "")
		})
	}
	// Bob's cart is his own, empty; clearing it leaves alice's alone.
	if c := must(e.client.GetCart(e.user("bob"), &cartv1.GetCartRequest{})).GetCart(); len(c.GetLines()) != 0 || c.GetId() == alice.GetCart().GetId() {
		t.Fatalf("bob's cart = %v", c)
	}
	must(e.client.ClearCart(e.user("bob"), &cartv1.ClearCartRequest{}))
	must(e.client.ClearCart(anon(""), &cartv1.ClearCartRequest{}))
	for _, c := range []*cartv1.Cart{
		must(e.client.GetCart(e.user("alice"), &cartv1.GetCartRequest{})).GetCart(),
		must(e.client.GetCart(anon(token), &cartv1.GetCartRequest{})).GetCart(),
	} {
		if len(c.GetLines()) != 1 || c.GetLines()[0].GetQuantity() != 1 {
			t.Fatalf("a cart was changed by someone else: %v", c)
		}
	}
}
