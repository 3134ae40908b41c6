package main

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/google/uuid"
	"google.golang.org/grpc/metadata"

	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
	orderv1 "github.com/jangteo/jangteo/gen/go/jangteo/order/v1"
	paymentv1 "github.com/jangteo/jangteo/gen/go/jangteo/payment/v1"
)

// The demo market's sellers; the demo shopper bids.
var demoSellers = []struct{ email, name, phone string }{
	{"seller1@jangteo.dev", "박서준", "010-3333-1001"},
	{"seller2@jangteo.dev", "최유나", "010-3333-1002"},
}

const demoSellerPassword = "jangteo-seller-1234"

// seedDemoMarket puts standing asks from two demo sellers and bids from the
// demo shopper on every size of the first three sneakers, and one paid trade
// on the first, so the market pages have quotes, a last price and a chart.
// A shopper who already bids is left alone.
func (s *demoShop) seedDemoMarket(ctx context.Context) error {
	shopper, err := s.signIn(ctx)
	if err != nil {
		return err
	}
	if bids, err := s.market.ListMyBids(shopper, &orderv1.ListMyBidsRequest{PageSize: 1}); err != nil || len(bids.GetBids()) > 0 {
		return err
	}
	var sellers []context.Context
	for _, d := range demoSellers {
		c, err := s.signInAs(ctx, d.email, demoSellerPassword, d.name, d.phone)
		if err != nil {
			return fmt.Errorf("seller %s: %w", d.email, err)
		}
		sellers = append(sellers, c)
	}
	list, err := s.catalog.ListProducts(ctx, &catalogv1.ListProductsRequest{PageSize: 100})
	if err != nil {
		return err
	}
	keyed := func(c context.Context) context.Context {
		return metadata.AppendToOutgoingContext(c, "idempotency-key", uuid.NewString())
	}
	seeded := 0
	for _, listed := range list.GetProducts() {
		if seeded == 3 {
			break
		}
		got, err := s.catalog.GetProduct(ctx, &catalogv1.GetProductRequest{Slug: listed.GetSlug()})
		if err != nil {
			return err
		}
		p := got.GetProduct()
		if !slices.ContainsFunc(p.GetVariants(), func(v *catalogv1.Variant) bool { return v.GetOptions()["size"] == "270" }) {
			continue
		}
		base := p.GetPrice().GetAmount()
		for _, v := range p.GetVariants() {
			size, err := strconv.ParseInt(v.GetOptions()["size"], 10, 64)
			if err != nil {
				continue
			}
			// Popular sizes (around 260–270) trade higher.
			premium := base/10 + (30-abs(size-265))*500
			for i, seller := range sellers {
				ask := &orderv1.PlaceAskRequest{VariantId: v.GetId(), Price: base + premium + int64(i)*3000, ExpiresInDays: 30}
				if _, err := s.market.PlaceAsk(keyed(seller), ask); err != nil {
					return fmt.Errorf("ask on %s %d: %w", p.GetSlug(), size, err)
				}
			}
			bid := &orderv1.PlaceBidRequest{VariantId: v.GetId(), Price: base - base/10 + premium/2, ExpiresInDays: 14, Shipping: demoShopperAddress()}
			if _, err := s.market.PlaceBid(keyed(shopper), bid); err != nil {
				return fmt.Errorf("bid on %s %d: %w", p.GetSlug(), size, err)
			}
		}
		if seeded == 0 {
			if err := s.buyNowAndPay(shopper, p.GetSlug(), keyed); err != nil {
				return err
			}
		}
		seeded++
	}
	return nil
}

// buyNowAndPay buys size 270 of the product at the lowest ask and pays the
// trade's order with the sandbox.
func (s *demoShop) buyNowAndPay(shopper context.Context, slug string, keyed func(context.Context) context.Context) error {
	m, err := s.market.GetProductMarket(shopper, &orderv1.GetProductMarketRequest{Slug: slug})
	if err != nil {
		return err
	}
	for _, q := range m.GetVariants() {
		if q.GetOptions()["size"] != "270" || q.GetLowestAsk() == nil {
			continue
		}
		bought, err := s.market.BuyNow(keyed(shopper), &orderv1.BuyNowRequest{VariantId: q.GetVariantId(), ExpectedPrice: q.GetLowestAsk().GetAmount(), Shipping: demoShopperAddress()})
		if err != nil {
			return fmt.Errorf("buy now %s: %w", slug, err)
		}
		pay, err := s.orders.PayOrder(keyed(shopper), &orderv1.PayOrderRequest{
			Number: bought.GetTrade().GetOrderNumber(), Provider: "sandbox", ReturnUrl: "http://localhost:8080/", CancelUrl: "http://localhost:8080/",
		})
		if err != nil {
			return err
		}
		_, err = s.payments.ApproveSandboxPayment(shopper, &paymentv1.ApproveSandboxPaymentRequest{Id: pay.GetPayment().GetId()})
		return err
	}
	return nil
}

func abs(n int64) int64 { return max(n, -n) }
