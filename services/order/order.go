// Package order is the order service: checkout from the cart, the order's
// life from payment to delivery, refunds, the resale market, and bookings
// of the catalog's spaces. cmd/order runs it alone; cmd/jangteo runs it
// beside the other services.
package order

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.uber.org/zap"
	"google.golang.org/grpc"

	cartv1 "github.com/jangteo/jangteo/gen/go/jangteo/cart/v1"
	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
	orderv1 "github.com/jangteo/jangteo/gen/go/jangteo/order/v1"
	paymentv1 "github.com/jangteo/jangteo/gen/go/jangteo/payment/v1"
	"github.com/jangteo/jangteo/platform/mail"
	"github.com/jangteo/jangteo/platform/service"
	"github.com/jangteo/jangteo/services/order/internal/app"
	bookingapp "github.com/jangteo/jangteo/services/order/internal/bookings/app"
	bookingdomain "github.com/jangteo/jangteo/services/order/internal/bookings/domain"
	bookinggrpc "github.com/jangteo/jangteo/services/order/internal/bookings/grpcapi"
	bookingstore "github.com/jangteo/jangteo/services/order/internal/bookings/store"
	bookingsubs "github.com/jangteo/jangteo/services/order/internal/bookings/subscribers"
	bookingtimers "github.com/jangteo/jangteo/services/order/internal/bookings/timers"
	"github.com/jangteo/jangteo/services/order/internal/clients"
	"github.com/jangteo/jangteo/services/order/internal/domain"
	"github.com/jangteo/jangteo/services/order/internal/grpcapi"
	"github.com/jangteo/jangteo/services/order/internal/store"
	"github.com/jangteo/jangteo/services/order/internal/subscribers"
	"github.com/jangteo/jangteo/services/order/internal/timers"
)

// Name is the service's name, schema and event stream.
const Name = "order"

// Config is the order service's configuration.
type Config struct {
	service.Base
	// CartEndpoint, CatalogEndpoint and PaymentEndpoint are the gRPC
	// addresses of the services checkout and payment call.
	CartEndpoint    string `env:"CART_ENDPOINT"`
	CatalogEndpoint string `env:"CATALOG_ENDPOINT"`
	PaymentEndpoint string `env:"PAYMENT_ENDPOINT"`
	// PaymentWindow is how long an order waits for payment before it is cancelled.
	PaymentWindow time.Duration `env:"PAYMENT_WINDOW"`
	// ReservationGrace is added to the window for the catalog's reservation
	// TTL, so the order's timer decides and the catalog's sweeper is the
	// safety net.
	ReservationGrace time.Duration `env:"RESERVATION_GRACE"`
	// TaxRateBasisPoints is the tax rate in hundredths of a percent; keep it
	// equal to the cart's TAX_RATE_BP so checkout charges what the cart showed.
	TaxRateBasisPoints int `env:"TAX_RATE_BP"`
	// ShippingFee is the flat shipping fee in minor units.
	ShippingFee int64 `env:"SHIPPING_FEE"`
	// FreeShippingFrom waives the fee for subtotals at or above it; 0 never waives.
	FreeShippingFrom int64 `env:"FREE_SHIPPING_FROM"`
	// BookingHold is how long a space booking waits for payment before it
	// expires and frees its slot.
	BookingHold time.Duration `env:"BOOKING_HOLD"`
	// BookingFreeCancelDays is until how many days before its date a guest
	// cancels a confirmed booking for a full refund.
	BookingFreeCancelDays int `env:"BOOKING_FREE_CANCEL_DAYS"`
	// BookingLateRefundPercent is the share refunded to a guest who cancels later.
	BookingLateRefundPercent int `env:"BOOKING_LATE_REFUND_PERCENT"`
	// PublicURL is the shop's address, for links in mail.
	PublicURL string `env:"PUBLIC_URL"`
	// Market are the resale market's fees (MARKET_SELLER_FEE_BP, …).
	Market MarketConfig `envPrefix:"MARKET_"`
	// Mail is the SMTP relay (SMTP_HOST, SMTP_PORT, SMTP_USERNAME,
	// SMTP_PASSWORD, SMTP_FROM, SMTP_STARTTLS, SMTP_TIMEOUT).
	Mail mail.Config `envPrefix:"SMTP_"`
}

// DefaultConfig returns the documented defaults: gRPC on :9104, a 30-minute
// payment window, 2 % tax, ₩3,000 shipping, free from ₩50,000.
func DefaultConfig() Config {
	return Config{
		Base:                     service.Defaults(":9104"),
		CartEndpoint:             "127.0.0.1:9103",
		CatalogEndpoint:          "127.0.0.1:9102",
		PaymentEndpoint:          "127.0.0.1:9105",
		PaymentWindow:            30 * time.Minute,
		ReservationGrace:         5 * time.Minute,
		TaxRateBasisPoints:       200,
		ShippingFee:              3000,
		FreeShippingFrom:         50000,
		BookingHold:              15 * time.Minute,
		BookingFreeCancelDays:    3,
		BookingLateRefundPercent: 50,
		PublicURL:                "http://localhost:8080",
		Market:                   MarketConfig{SellerFeeBP: 500, SellerFeeMinimum: 2500, BuyerFeeBP: 300, PenaltyBP: 1500, PenaltyMinimum: 10000},
		Mail:                     mail.Config{Host: "127.0.0.1", Port: 1025, From: "Jangteo <orders@jangteo.dev>"},
	}
}

func (c Config) validate() error {
	switch {
	case c.CartEndpoint == "" || c.CatalogEndpoint == "" || c.PaymentEndpoint == "":
		return errors.New("order: CART_ENDPOINT, CATALOG_ENDPOINT and PAYMENT_ENDPOINT are required")
	case c.PaymentWindow < time.Second:
		return fmt.Errorf("order: PAYMENT_WINDOW %s is too short", c.PaymentWindow)
	case c.PaymentWindow+c.ReservationGrace > 24*time.Hour:
		return errors.New("order: PAYMENT_WINDOW + RESERVATION_GRACE exceeds the catalog's 24 h reservation limit")
	case c.ReservationGrace < 0:
		return errors.New("order: RESERVATION_GRACE is negative")
	case c.TaxRateBasisPoints < 0 || c.TaxRateBasisPoints > 10000:
		return fmt.Errorf("order: TAX_RATE_BP %d is not within 0..10000", c.TaxRateBasisPoints)
	case c.Market.SellerFeeBP < 0 || c.Market.SellerFeeBP > 10000 || c.Market.BuyerFeeBP < 0 || c.Market.BuyerFeeBP > 10000 ||
		c.Market.PenaltyBP < 0 || c.Market.PenaltyBP > 10000 || c.Market.SellerFeeMinimum < 0 || c.Market.PenaltyMinimum < 0:
		return errors.New("order: MARKET_*_BP must be within 0..10000 and the minimums not negative")
	case c.BookingHold < time.Second:
		return fmt.Errorf("order: BOOKING_HOLD %s is too short", c.BookingHold)
	case c.BookingFreeCancelDays < 0 || c.BookingLateRefundPercent < 0 || c.BookingLateRefundPercent > 100:
		return errors.New("order: BOOKING_FREE_CANCEL_DAYS must not be negative and BOOKING_LATE_REFUND_PERCENT must be within 0..100")
	case c.ShippingFee < 0 || c.FreeShippingFrom < 0:
		return errors.New("order: SHIPPING_FEE and FREE_SHIPPING_FROM must not be negative")
	}
	return nil
}

// MarketConfig are the resale market's fees, in basis points of the trade
// price and minor units.
type MarketConfig struct {
	// SellerFeeBP and SellerFeeMinimum: the seller's fee is the larger (never more than the price).
	SellerFeeBP      int   `env:"SELLER_FEE_BP"`
	SellerFeeMinimum int64 `env:"SELLER_FEE_MIN"`
	// BuyerFeeBP is the buyer's fee, added to the order.
	BuyerFeeBP int `env:"BUYER_FEE_BP"`
	// PenaltyBP and PenaltyMinimum: what a buyer who lets a trade lapse is charged.
	PenaltyBP      int   `env:"PENALTY_BP"`
	PenaltyMinimum int64 `env:"PENALTY_MIN"`
}

// Migrations are the service's schema migrations.
var Migrations = service.Migrations{FS: store.Migrations, Dir: "migrations"}

// Service is a running order service.
type Service struct {
	rt       *service.Runtime
	app      *app.App
	bookings *bookingapp.App
	spaces   catalogv1.SpaceServiceClient
	conns    []*grpc.ClientConn
}

// New connects the service, registers its gRPC API, its consumers and its timer.
func New(ctx context.Context, cfg Config, log *zap.Logger, opts service.Options) (_ *Service, err error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	sender, err := mail.NewSender(cfg.Mail)
	if err != nil {
		return nil, fmt.Errorf("order: %w", err)
	}
	rt, err := service.Start(ctx, Name, cfg.Base, log, Migrations, opts)
	if err != nil {
		return nil, err
	}
	s := &Service{rt: rt}
	defer func() {
		if err != nil {
			s.closeConns()
		}
	}()
	dial := func(endpoint string) (*grpc.ClientConn, error) {
		conn, err := rt.Dial(endpoint)
		if err == nil {
			s.conns = append(s.conns, conn)
		}
		return conn, err
	}
	cartConn, err := dial(cfg.CartEndpoint)
	if err != nil {
		return nil, fmt.Errorf("order: cart client: %w", err)
	}
	catalogConn, err := dial(cfg.CatalogEndpoint)
	if err != nil {
		return nil, fmt.Errorf("order: catalog client: %w", err)
	}
	paymentConn, err := dial(cfg.PaymentEndpoint)
	if err != nil {
		return nil, fmt.Errorf("order: payment client: %w", err)
	}

	s.app = app.New(app.Deps{
		Store:    store.New(rt.Pool),
		Cart:     clients.NewCart(cartv1.NewCartServiceClient(cartConn)),
		Catalog:  clients.NewCatalog(catalogv1.NewCatalogServiceClient(catalogConn)),
		Payments: clients.NewPayments(paymentv1.NewPaymentServiceClient(paymentConn)),
		Timers:   timers.New(rt.Jobs),
		Mailer:   sender,
	}, app.Config{
		Pricing: domain.Pricing{
			TaxRateBP: cfg.TaxRateBasisPoints, ShippingFee: cfg.ShippingFee, FreeShippingFrom: cfg.FreeShippingFrom,
		},
		PaymentWindow:    cfg.PaymentWindow,
		ReservationGrace: cfg.ReservationGrace,
		PublicURL:        cfg.PublicURL,
	}, rt.Log)

	orderv1.RegisterOrderServiceServer(rt.GRPC, grpcapi.New(s.app))
	// Checkout and payment call the cart, the catalog and the payment
	// service: they run outside a keyed transaction (no connection held
	// across those calls), their effects keyed by ids derived from the key.
	rt.Keys.RunOutside(orderv1.OrderService_CreateOrder_FullMethodName, orderv1.OrderService_PayOrder_FullMethodName)
	if err := s.registerMarket(catalogConn, cfg); err != nil {
		return nil, err
	}
	// Running a timer twice is harmless: the order's (booking's) row decides.
	service.Work(rt, func(ctx context.Context, j timers.ExpireArgs) error {
		_, err := s.app.Expire(ctx, j.OrderID)
		return err
	})
	h := subscribers.New(s.app)
	rt.Consume(subscribers.PaymentApprovedConsumer, h.PaymentApproved)
	rt.Consume(subscribers.PaymentRefundedConsumer, h.PaymentRefunded)
	rt.Consume(subscribers.CommitStockConsumer, h.CommitStock)
	rt.Consume(subscribers.ConfirmationConsumer, h.Confirmation)
	rt.Consume(subscribers.CompensateConsumer, h.Compensate)

	s.spaces = catalogv1.NewSpaceServiceClient(catalogConn)
	s.bookings = bookingapp.New(bookingstore.New(rt.Pool), clients.NewSpaces(s.spaces), bookingtimers.New(rt.Jobs),
		clients.NewBookingPayments(paymentv1.NewPaymentServiceClient(paymentConn)), sender, bookingapp.Config{
			Hold:   cfg.BookingHold,
			Cancel: bookingdomain.CancelPolicy{FreeDays: cfg.BookingFreeCancelDays, LateRefundRate: cfg.BookingLateRefundPercent},
		}, rt.Log.Named("bookings"))
	orderv1.RegisterBookingServiceServer(rt.GRPC, bookinggrpc.New(s.bookings))
	// A booking's id is derived from the key, and paying one writes nothing
	// here (the payment service keeps the key): both run outside a keyed
	// transaction, holding no connection across the catalog's or the
	// payment service's answer.
	rt.Keys.RunOutside(orderv1.BookingService_CreateBooking_FullMethodName, orderv1.BookingService_PayBooking_FullMethodName)
	service.Work(rt, func(ctx context.Context, j bookingtimers.ExpireArgs) error {
		_, err := s.bookings.Expire(ctx, j.BookingID)
		return err
	})
	service.Work(rt, func(ctx context.Context, j bookingtimers.CompleteArgs) error {
		_, err := s.bookings.Complete(ctx, j.BookingID) // a booking cancelled meanwhile is left alone
		return err
	})
	bh := bookingsubs.New(s.bookings)
	rt.Consume(bookingsubs.PaymentApprovedConsumer, bh.PaymentApproved)
	rt.Consume(bookingsubs.MailConsumer, bh.Mail)
	return s, nil
}

// Run serves until ctx ends.
func (s *Service) Run(ctx context.Context) error {
	defer s.closeConns()
	return s.rt.Run(ctx)
}

func (s *Service) closeConns() {
	for _, c := range s.conns {
		_ = c.Close()
	}
}
