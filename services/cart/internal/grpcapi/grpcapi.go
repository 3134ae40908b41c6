// Package grpcapi serves the cart over gRPC: it converts between protobuf and
// the domain, reads who is calling (the verified principal and the
// x-cart-token metadata), and leaves access checks, validation and error
// mapping to the platform's interceptors.
package grpcapi

import (
	"context"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/types/known/timestamppb"

	cartv1 "github.com/jangteo/jangteo/gen/go/jangteo/cart/v1"
	typev1 "github.com/jangteo/jangteo/gen/go/jangteo/type/v1"
	"github.com/jangteo/jangteo/platform/auth"
	"github.com/jangteo/jangteo/services/cart/internal/app"
	"github.com/jangteo/jangteo/services/cart/internal/domain"
)

// CartTokenHeader is the metadata key of the anonymous cart token, both ways:
// the gateway forwards the X-Cart-Token request header as it and turns it in
// response header metadata into the X-Cart-Token response header.
const CartTokenHeader = "x-cart-token"

// Server implements cartv1.CartServiceServer.
type Server struct {
	cartv1.UnimplementedCartServiceServer
	app *app.App
}

// New returns the gRPC server over the use cases.
func New(a *app.App) *Server { return &Server{app: a} }

// caller is who the request comes from.
func caller(ctx context.Context) app.Caller {
	var c app.Caller
	if p, ok := auth.FromContext(ctx); ok {
		c.UserID = p.UserID
	}
	c.CartToken = cartToken(ctx)
	return c
}

func cartToken(ctx context.Context) string {
	md, _ := metadata.FromIncomingContext(ctx)
	if v := md.Get(CartTokenHeader); len(v) > 0 {
		return v[0]
	}
	return ""
}

// GetCart implements cartv1.CartServiceServer.
func (s *Server) GetCart(ctx context.Context, _ *cartv1.GetCartRequest) (*cartv1.GetCartResponse, error) {
	v, err := s.app.GetCart(ctx, caller(ctx))
	if err != nil {
		return nil, err
	}
	return &cartv1.GetCartResponse{Cart: toProtoCart(v)}, nil
}

// AddCartItem implements cartv1.CartServiceServer.
func (s *Server) AddCartItem(ctx context.Context, req *cartv1.AddCartItemRequest) (*cartv1.AddCartItemResponse, error) {
	res, err := s.app.AddItem(ctx, caller(ctx), app.AddItem{
		Ref: domain.VariantRef{
			Product: req.GetProduct(), Options: req.GetOptions(), VariantID: req.GetVariantId(),
		},
		Quantity: int64(req.GetQuantity()),
	})
	if err != nil {
		return nil, err
	}
	if res.CartToken != "" {
		_ = grpc.SetHeader(ctx, metadata.Pairs(CartTokenHeader, res.CartToken))
	}
	return &cartv1.AddCartItemResponse{Cart: toProtoCart(res.Cart), LineId: res.LineID, CartToken: res.CartToken}, nil
}

// UpdateCartItem implements cartv1.CartServiceServer.
func (s *Server) UpdateCartItem(ctx context.Context, req *cartv1.UpdateCartItemRequest) (*cartv1.UpdateCartItemResponse, error) {
	v, err := s.app.SetQuantity(ctx, caller(ctx), req.GetId(), int64(req.GetQuantity()))
	if err != nil {
		return nil, err
	}
	return &cartv1.UpdateCartItemResponse{Cart: toProtoCart(v)}, nil
}

// IncrementCartItem implements cartv1.CartServiceServer.
func (s *Server) IncrementCartItem(ctx context.Context, req *cartv1.IncrementCartItemRequest) (*cartv1.IncrementCartItemResponse, error) {
	v, err := s.app.Increment(ctx, caller(ctx), req.GetId())
	if err != nil {
		return nil, err
	}
	return &cartv1.IncrementCartItemResponse{Cart: toProtoCart(v)}, nil
}

// DecrementCartItem implements cartv1.CartServiceServer.
func (s *Server) DecrementCartItem(ctx context.Context, req *cartv1.DecrementCartItemRequest) (*cartv1.DecrementCartItemResponse, error) {
	v, err := s.app.Decrement(ctx, caller(ctx), req.GetId())
	if err != nil {
		return nil, err
	}
	return &cartv1.DecrementCartItemResponse{Cart: toProtoCart(v)}, nil
}

// RemoveCartItem implements cartv1.CartServiceServer.
func (s *Server) RemoveCartItem(ctx context.Context, req *cartv1.RemoveCartItemRequest) (*cartv1.RemoveCartItemResponse, error) {
	v, err := s.app.Remove(ctx, caller(ctx), req.GetId())
	if err != nil {
		return nil, err
	}
	return &cartv1.RemoveCartItemResponse{Cart: toProtoCart(v)}, nil
}

// ClearCart implements cartv1.CartServiceServer.
func (s *Server) ClearCart(ctx context.Context, _ *cartv1.ClearCartRequest) (*cartv1.ClearCartResponse, error) {
	v, err := s.app.Clear(ctx, caller(ctx))
	if err != nil {
		return nil, err
	}
	return &cartv1.ClearCartResponse{Cart: toProtoCart(v)}, nil
}

// MergeCart implements cartv1.CartServiceServer.
func (s *Server) MergeCart(ctx context.Context, req *cartv1.MergeCartRequest) (*cartv1.MergeCartResponse, error) {
	c := caller(ctx) // ACCESS_AUTHENTICATED: the policy guarantees a user
	token := req.GetCartToken()
	if token == "" {
		token = c.CartToken
	}
	v, merged, err := s.app.Merge(ctx, c.UserID, token)
	if err != nil {
		return nil, err
	}
	return &cartv1.MergeCartResponse{Cart: toProtoCart(v), Merged: merged}, nil
}

// GetCartForCheckout implements cartv1.CartServiceServer.
func (s *Server) GetCartForCheckout(ctx context.Context, req *cartv1.GetCartForCheckoutRequest) (*cartv1.GetCartForCheckoutResponse, error) {
	c, err := s.app.CheckoutCart(ctx, req.GetUserId())
	if err != nil {
		return nil, err
	}
	resp := &cartv1.GetCartForCheckoutResponse{CartId: c.ID, Lines: make([]*cartv1.CheckoutLine, 0, len(c.Lines))}
	for _, l := range c.Lines {
		resp.Lines = append(resp.Lines, &cartv1.CheckoutLine{
			LineId: l.ID, ProductId: l.ProductID, VariantId: l.VariantID, Quantity: l.Quantity,
		})
	}
	return resp, nil
}

func toProtoCart(v app.View) *cartv1.Cart {
	out := &cartv1.Cart{
		Id: v.ID, ItemCount: int32(v.ItemCount), TaxRateBp: int32(v.TaxRateBP),
		Subtotal: toProtoMoney(v.Subtotal), Tax: toProtoMoney(v.Tax), GrandTotal: toProtoMoney(v.GrandTotal),
		Priced: v.Priced, CheckoutReady: v.CheckoutReady,
		Lines: make([]*cartv1.CartLine, 0, len(v.Lines)),
	}
	if !v.UpdatedAt.IsZero() {
		out.UpdateTime = timestamppb.New(v.UpdatedAt)
	}
	for _, l := range v.Lines {
		pl := &cartv1.CartLine{
			Id: l.ID, ProductId: l.ProductID, ProductSlug: l.ProductSlug, ProductName: l.ProductName,
			ImageUrl: l.ImageURL, VariantId: l.VariantID, Sku: l.SKU, Options: l.Options, Quantity: int32(l.Quantity),
			Status: toProtoStatus[l.Status],
		}
		if l.Status == domain.LineInsufficientStock || l.Status == domain.LineOutOfStock {
			n := int32(l.AvailableQuantity)
			pl.AvailableQuantity = &n
		}
		if l.Status != domain.LineUnpriced && l.UnitPrice.Currency != "" {
			pl.UnitPrice, pl.LineTotal = toProtoMoney(l.UnitPrice), toProtoMoney(l.LineTotal)
		}
		out.Lines = append(out.Lines, pl)
	}
	return out
}

var toProtoStatus = map[domain.LineStatus]cartv1.LineStatus{
	domain.LineOK:                cartv1.LineStatus_LINE_STATUS_OK,
	domain.LineInsufficientStock: cartv1.LineStatus_LINE_STATUS_INSUFFICIENT_STOCK,
	domain.LineOutOfStock:        cartv1.LineStatus_LINE_STATUS_OUT_OF_STOCK,
	domain.LineUnavailable:       cartv1.LineStatus_LINE_STATUS_UNAVAILABLE,
	domain.LineUnpriced:          cartv1.LineStatus_LINE_STATUS_UNPRICED,
}

func toProtoMoney(m domain.Money) *typev1.Money {
	return &typev1.Money{Amount: m.Amount, Currency: m.Currency}
}
