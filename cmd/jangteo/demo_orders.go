package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/google/uuid"
	"go.uber.org/zap"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	cartv1 "github.com/jangteo/jangteo/gen/go/jangteo/cart/v1"
	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
	identityv1 "github.com/jangteo/jangteo/gen/go/jangteo/identity/v1"
	orderv1 "github.com/jangteo/jangteo/gen/go/jangteo/order/v1"
	paymentv1 "github.com/jangteo/jangteo/gen/go/jangteo/payment/v1"
	"github.com/jangteo/jangteo/platform/grpcclient"
	"github.com/jangteo/jangteo/platform/mail/smtpsink"
)

// The demo shopper of `jangteo dev`: an ordinary customer with a few past
// orders in different states, placed through the real APIs.
const (
	demoShopperEmail    = "shopper@jangteo.dev"
	demoShopperPassword = "jangteo-shopper-1234"
)

// demoShop are the clients the demo shopper's purchases go through.
type demoShop struct {
	identity identityv1.IdentityServiceClient
	catalog  catalogv1.CatalogServiceClient
	cart     cartv1.CartServiceClient
	orders   orderv1.OrderServiceClient
	market   orderv1.MarketServiceClient
	payments paymentv1.PaymentServiceClient
	sink     *smtpsink.Sink
}

func dialDemoShop(endpoints map[string]string, sink *smtpsink.Sink) (*demoShop, func(), error) {
	var conns []*grpc.ClientConn
	closeAll := func() {
		for _, c := range conns {
			_ = c.Close()
		}
	}
	for _, name := range []string{"identity", "catalog", "cart", "order", "payment"} {
		c, err := grpcclient.Dial(endpoints[name])
		if err != nil {
			closeAll()
			return nil, nil, err
		}
		conns = append(conns, c)
	}
	return &demoShop{
		identity: identityv1.NewIdentityServiceClient(conns[0]),
		catalog:  catalogv1.NewCatalogServiceClient(conns[1]),
		cart:     cartv1.NewCartServiceClient(conns[2]),
		orders:   orderv1.NewOrderServiceClient(conns[3]),
		market:   orderv1.NewMarketServiceClient(conns[3]),
		payments: paymentv1.NewPaymentServiceClient(conns[4]),
		sink:     sink,
	}, closeAll, nil
}

// seedDemoOrders signs the demo shopper up (verifying the mailed link) and
// buys three products with the sandbox; staff then complete one order and
// ship another. A shopper who already has orders is left alone.
func (s *demoShop) seedDemoOrders(ctx context.Context, adminEmail, adminPassword string) error {
	shopper, err := s.signIn(ctx)
	if err != nil {
		return err
	}
	if list, err := s.orders.ListOrders(shopper, &orderv1.ListOrdersRequest{PageSize: 1}); err != nil || list.GetTotalCount() > 0 {
		return err
	}
	admin, err := s.login(ctx, adminEmail, adminPassword)
	if err != nil {
		return err
	}
	products, err := s.catalog.ListProducts(ctx, &catalogv1.ListProductsRequest{InStock: true, PageSize: 3, Sort: "price_asc"})
	if err != nil {
		return err
	}
	var numbers []string
	for _, p := range products.GetProducts() {
		n, err := s.buy(shopper, p.GetSlug())
		if err != nil {
			return fmt.Errorf("buy %s: %w", p.GetName(), err)
		}
		numbers = append(numbers, n)
	}
	steps := [][]orderv1.OrderStatus{
		{orderv1.OrderStatus_ORDER_STATUS_PREPARING, orderv1.OrderStatus_ORDER_STATUS_SHIPPED, orderv1.OrderStatus_ORDER_STATUS_DELIVERED, orderv1.OrderStatus_ORDER_STATUS_COMPLETED},
		{orderv1.OrderStatus_ORDER_STATUS_PREPARING, orderv1.OrderStatus_ORDER_STATUS_SHIPPED},
	}
	for i, path := range steps {
		if i >= len(numbers) {
			break
		}
		for _, to := range path {
			req := &orderv1.AdvanceOrderRequest{Number: numbers[i], Status: to}
			if to == orderv1.OrderStatus_ORDER_STATUS_SHIPPED {
				req.Carrier, req.TrackingNumber = "CJ대한통운", fmt.Sprintf("6812-%04d-%04d", 3344+i, 1200+i)
			}
			if _, err := s.orders.AdvanceOrder(admin, req); err != nil {
				return fmt.Errorf("advance %s: %w", numbers[i], err)
			}
		}
	}
	return nil
}

// signIn logs the shopper in, signing up and verifying first when needed.
func (s *demoShop) signIn(ctx context.Context) (context.Context, error) {
	return s.signInAs(ctx, demoShopperEmail, demoShopperPassword, "김민지", "010-1234-5678")
}

// demoShopperAddress is where the demo shopper's orders and market
// purchases go.
func demoShopperAddress() *orderv1.ShippingDetails {
	return &orderv1.ShippingDetails{
		Name: "김민지", Phone: "010-1234-5678", Email: demoShopperEmail, Line1: "서울특별시 마포구 월드컵북로 396",
		Line2: "12층", PostalCode: "03925", City: "Seoul", Country: "KR",
	}
}

// signInAs logs a demo user in, signing up and verifying first when needed.
func (s *demoShop) signInAs(ctx context.Context, email, password, name, phone string) (context.Context, error) {
	if c, err := s.login(ctx, email, password); err == nil {
		return c, nil
	}
	_, err := s.identity.SignUp(ctx, &identityv1.SignUpRequest{
		Email: email, Password: password, Name: name, Phone: phone,
	})
	if err != nil {
		return nil, fmt.Errorf("sign up: %w", err)
	}
	wait, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	m, err := s.sink.Wait(wait, func(m smtpsink.Message) bool { return m.SentTo(email) && strings.Contains(m.Text, "token=") })
	if err != nil {
		return nil, fmt.Errorf("verification mail: %w", err)
	}
	token := ""
	for _, word := range strings.Fields(m.Text) {
		if u, err := url.Parse(word); err == nil && u.Query().Get("token") != "" {
			token = u.Query().Get("token")
		}
	}
	if _, err := s.identity.VerifyEmail(ctx, &identityv1.VerifyEmailRequest{Token: token}); err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	return s.login(ctx, email, password)
}

func (s *demoShop) login(ctx context.Context, email, password string) (context.Context, error) {
	resp, err := s.identity.Login(ctx, &identityv1.LoginRequest{Email: email, Password: password})
	if err != nil {
		return nil, err
	}
	return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+resp.GetAccessToken()), nil
}

// buy puts one unit of the product's first variant in stock into the cart,
// checks out, pays with the sandbox and waits until the order is paid.
func (s *demoShop) buy(shopper context.Context, slug string) (string, error) {
	p, err := s.catalog.GetProduct(shopper, &catalogv1.GetProductRequest{Slug: slug})
	if err != nil {
		return "", err
	}
	variant := ""
	for _, v := range p.GetProduct().GetVariants() {
		if v.GetStock() > 0 {
			variant = v.GetId()
			break
		}
	}
	if _, err := s.cart.AddCartItem(shopper, &cartv1.AddCartItemRequest{VariantId: variant, Quantity: 1}); err != nil {
		return "", err
	}
	keyed := func() context.Context {
		return metadata.AppendToOutgoingContext(shopper, "idempotency-key", uuid.NewString())
	}
	o, err := s.orders.CreateOrder(keyed(), &orderv1.CreateOrderRequest{Shipping: demoShopperAddress()})
	if err != nil {
		return "", err
	}
	number := o.GetOrder().GetNumber()
	pay, err := s.orders.PayOrder(keyed(), &orderv1.PayOrderRequest{
		Number: number, Provider: "sandbox", ReturnUrl: "http://localhost:8080/", CancelUrl: "http://localhost:8080/",
	})
	if err != nil {
		return "", err
	}
	if _, err := s.payments.ApproveSandboxPayment(shopper, &paymentv1.ApproveSandboxPaymentRequest{Id: pay.GetPayment().GetId()}); err != nil {
		return "", err
	}
	for range 200 {
		got, err := s.orders.GetOrder(shopper, &orderv1.GetOrderRequest{Number: number})
		paid := err == nil && got.GetOrder().GetStatus() == orderv1.OrderStatus_ORDER_STATUS_PAID
		// The cart empties on order.paid; the next purchase starts from an empty cart.
		if c, err := s.cart.GetCart(shopper, &cartv1.GetCartRequest{}); paid && err == nil && len(c.GetCart().GetLines()) == 0 {
			return number, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return "", errors.New("order " + number + " was not paid (or the cart not emptied) within 10 s")
}

// seedDemoOrdersInBackground runs seedDemoOrders once the services serve.
func seedDemoOrdersInBackground(ctx context.Context, log *zap.Logger, endpoints map[string]string, sink *smtpsink.Sink, adminEmail, adminPassword string) {
	shop, closeShop, err := dialDemoShop(endpoints, sink)
	if err != nil {
		log.Warn("demo orders", zap.Error(err))
		return
	}
	go func() {
		defer closeShop()
		if err := shop.seedDemoOrders(ctx, adminEmail, adminPassword); err != nil && ctx.Err() == nil {
			log.Warn("demo orders", zap.Error(err))
		}
		if err := shop.seedDemoMarket(ctx); err != nil && ctx.Err() == nil {
			log.Warn("demo market", zap.Error(err))
		}
		// The demo load's garbage (sign-ins, orders, the market's matching)
		// is handed back now rather than when the heap next shrinks.
		debug.FreeOSMemory()
		log.Info("demo orders and market in place") // scripts/rss waits for this line
	}()
}
