package clients

import (
	"context"

	cartv1 "github.com/jangteo/jangteo/gen/go/jangteo/cart/v1"
	"github.com/jangteo/jangteo/services/order/internal/app"
	"github.com/jangteo/jangteo/services/order/internal/domain"
)

// Cart is app.Cart over the cart service.
type Cart struct{ api cartv1.CartServiceClient }

// NewCart returns the cart client.
func NewCart(api cartv1.CartServiceClient) *Cart { return &Cart{api: api} }

// CheckoutCart implements app.Cart.
func (c *Cart) CheckoutCart(ctx context.Context, userID string) (string, []app.CartLine, error) {
	resp, err := c.api.GetCartForCheckout(ctx, &cartv1.GetCartForCheckoutRequest{UserId: userID})
	if err != nil {
		return "", nil, unavailable(err, domain.ErrCartDown, "cart: checkout")
	}
	lines := make([]app.CartLine, 0, len(resp.GetLines()))
	for _, l := range resp.GetLines() {
		lines = append(lines, app.CartLine{ProductID: l.GetProductId(), VariantID: l.GetVariantId(), Quantity: l.GetQuantity()})
	}
	return resp.GetCartId(), lines, nil
}
