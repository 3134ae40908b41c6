package order_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	cartv1 "github.com/jangteo/jangteo/gen/go/jangteo/cart/v1"
	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
	orderv1 "github.com/jangteo/jangteo/gen/go/jangteo/order/v1"
	paymentv1 "github.com/jangteo/jangteo/gen/go/jangteo/payment/v1"
	typev1 "github.com/jangteo/jangteo/gen/go/jangteo/type/v1"
	"github.com/jangteo/jangteo/platform/events"
	"github.com/jangteo/jangteo/platform/mail/smtpsink"
	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/platform/service"
	"github.com/jangteo/jangteo/platform/testkit"
	"github.com/jangteo/jangteo/services/cart"
	"github.com/jangteo/jangteo/services/catalog"
	"github.com/jangteo/jangteo/services/order"
	"github.com/jangteo/jangteo/services/payment"
)

// env is the order service beside the real catalog, cart and payment
// services, as `jangteo dev` runs them: one database (a schema each), one
// NATS, and an SMTP sink for the mail.
type env struct {
	iss      *testkit.Issuer
	dbURL    string
	natsURL  string
	cfg      order.Config
	db       *pgxpool.Pool // the order schema
	catDB    *pgxpool.Pool // the catalog schema
	js       jetstream.JetStream
	sink     *smtpsink.Sink
	orders   orderv1.OrderServiceClient
	market   orderv1.MarketServiceClient
	bookings orderv1.BookingServiceClient
	addr     string // the order service's gRPC address
	catalog  catalogv1.CatalogServiceClient
	spaces   catalogv1.SpaceServiceClient
	catAddr  string // the catalog's gRPC address
	catSvc   *catalog.Service
	carts    cartv1.CartServiceClient
	payments paymentv1.PaymentServiceClient
	svc      *order.Service
	stop     func()
}

type options struct {
	configure func(*order.Config)
}

func start(t testing.TB, o options) *env {
	t.Helper()
	e := &env{iss: testkit.NewIssuer(), dbURL: testkit.Database(t), natsURL: testkit.NATS(t)}
	sink, err := smtpsink.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sink.Close() })
	e.sink = sink

	catCfg := catalog.DefaultConfig()
	catCfg.Base = e.base(t)
	catCfg.Images.Dir = t.TempDir()
	catAddr := e.launch(t, "catalog", func(opts service.Options) (testkit.Runner, error) {
		svc, err := catalog.New(t.Context(), catCfg, testLogger(t).Named("catalog"), opts)
		e.catSvc = svc
		return svc, err
	})
	cartCfg := cart.DefaultConfig()
	cartCfg.Base = e.base(t)
	cartCfg.CatalogEndpoint = catAddr
	cartAddr := e.launch(t, "cart", func(opts service.Options) (testkit.Runner, error) {
		return cart.New(t.Context(), cartCfg, testLogger(t).Named("cart"), opts)
	})
	payCfg := payment.DefaultConfig()
	payCfg.Base = e.base(t)
	payAddr := e.launch(t, "payment", func(opts service.Options) (testkit.Runner, error) {
		return payment.New(t.Context(), payCfg, testLogger(t).Named("payment"), opts)
	})

	e.cfg = order.DefaultConfig()
	e.cfg.Base = e.base(t)
	e.cfg.CartEndpoint, e.cfg.CatalogEndpoint, e.cfg.PaymentEndpoint = cartAddr, catAddr, payAddr
	host, port, _ := strings.Cut(sink.Addr(), ":")
	e.cfg.Mail.Host = host
	fmt.Sscan(port, &e.cfg.Mail.Port) //nolint:errcheck
	if o.configure != nil {
		o.configure(&e.cfg)
	}
	e.runOrder(t)

	e.catAddr = catAddr
	catConn := testkit.Dial(t, catAddr)
	e.catalog, e.spaces = catalogv1.NewCatalogServiceClient(catConn), catalogv1.NewSpaceServiceClient(catConn)
	e.carts = cartv1.NewCartServiceClient(testkit.Dial(t, cartAddr))
	e.payments = paymentv1.NewPaymentServiceClient(testkit.Dial(t, payAddr))
	e.db = e.pool(t, order.Name)
	e.catDB = e.pool(t, catalog.Name)
	nc, err := nats.Connect(e.natsURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	if e.js, err = jetstream.New(nc); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) base(t testing.TB) service.Base {
	b := service.Defaults("")
	b.DatabaseURL, b.NATSURL, b.MetricsAddr = e.dbURL, e.natsURL, ""
	return b
}

func (e *env) pool(t testing.TB, schema string) *pgxpool.Pool {
	t.Helper()
	p, err := postgres.Connect(context.Background(), e.dbURL, schema)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

func (e *env) launch(t testing.TB, name string, start func(service.Options) (testkit.Runner, error)) string {
	t.Helper()
	lis := testkit.Listen(t)
	svc, err := start(service.Options{Keys: e.iss.Fetch(), Tokens: e.iss.Tokens(name), Listener: lis})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	testkit.Run(t, svc)
	return lis.Addr().String()
}

// runOrder starts the order service on a fresh port; e.stop stops it.
func (e *env) runOrder(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	lis := testkit.Listen(t)
	svc, err := order.New(ctx, e.cfg, testLogger(t).Named("order"), service.Options{Keys: e.iss.Fetch(), Tokens: e.iss.Tokens(order.Name), Listener: lis})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	e.svc = svc
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()
	var once sync.Once
	e.addr = lis.Addr().String()
	conn := testkit.Dial(t, e.addr)
	e.orders = orderv1.NewOrderServiceClient(conn)
	e.market = orderv1.NewMarketServiceClient(conn)
	e.bookings = orderv1.NewBookingServiceClient(conn)
	e.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("order: Run: %v", err)
			}
		})
	}
	t.Cleanup(e.stop)
}

// restart stops the order service and starts it again on the same database and NATS.
func (e *env) restart(t *testing.T) {
	t.Helper()
	e.stop()
	e.runOrder(t)
}

// buyer is a signed-in customer.
type buyer struct {
	id  string
	ctx context.Context
}

// email is the buyer's own address for shipping details.
func (b buyer) email() string { return b.id + "@example.com" }

func (e *env) newBuyer() buyer {
	id := uuid.NewString()
	return buyer{id: id, ctx: metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+e.iss.Token(id, "customer"))}
}

// withKey adds an Idempotency-Key to ctx.
func withKey(ctx context.Context, key string) context.Context {
	return metadata.AppendToOutgoingContext(ctx, "idempotency-key", key)
}

func (e *env) staff() context.Context {
	return metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+e.iss.Token(uuid.NewString(), "staff"))
}

func krw(amount int64) *typev1.Money { return &typev1.Money{Amount: amount, Currency: "KRW"} }

// product creates a product with one variant per size ("" for none), each
// with stock units at price.
func (e *env) product(t testing.TB, name string, price int64, stock int32, sizes ...string) *catalogv1.Product {
	t.Helper()
	staff := e.staff()
	cat := must(e.catalog.CreateCategory(staff, &catalogv1.CreateCategoryRequest{Name: name + " category"})).GetCategory()
	req := &catalogv1.CreateProductRequest{Name: name, CategoryId: cat.GetId(), Price: krw(price), Stock: stock}
	if len(sizes) > 0 {
		req.Options = []*catalogv1.ProductOptionInput{{Name: "size", Values: sizes}}
	}
	return must(e.catalog.CreateProduct(staff, req)).GetProduct()
}

func variantOf(t testing.TB, p *catalogv1.Product, size string) string {
	t.Helper()
	for _, v := range p.GetVariants() {
		if v.GetOptions()["size"] == size {
			return v.GetId()
		}
	}
	t.Fatalf("%s has no size %q", p.GetName(), size)
	return ""
}

func (e *env) addToCart(t *testing.T, b buyer, variantID string, qty int32) {
	t.Helper()
	must(e.carts.AddCartItem(b.ctx, &cartv1.AddCartItemRequest{VariantId: variantID, Quantity: qty}))
}

func shipping(email string) *orderv1.ShippingDetails {
	return &orderv1.ShippingDetails{
		Name: "김민지", Phone: "010-1234-5678", Email: email, Line1: "서울특별시 마포구 월드컵북로 396",
		Line2: "12층", PostalCode: "03925", City: "Seoul", Country: "KR", Note: "문 앞에 놓아 주세요",
	}
}

func (e *env) checkout(t *testing.T, b buyer) *orderv1.Order {
	t.Helper()
	return must(e.orders.CreateOrder(withKey(b.ctx, uuid.NewString()), &orderv1.CreateOrderRequest{Shipping: shipping(b.id + "@example.com")})).GetOrder()
}

// pay starts a sandbox payment of the order.
func (e *env) pay(t *testing.T, b buyer, number string) *paymentv1.Payment {
	t.Helper()
	return must(e.orders.PayOrder(withKey(b.ctx, uuid.NewString()), &orderv1.PayOrderRequest{
		Number: number, Provider: "sandbox", ReturnUrl: "https://shop.example/paid", CancelUrl: "https://shop.example/cancelled",
	})).GetPayment()
}

func (e *env) approve(t *testing.T, paymentID string) {
	t.Helper()
	must(e.payments.ApproveSandboxPayment(context.Background(), &paymentv1.ApproveSandboxPaymentRequest{Id: paymentID}))
}

func (e *env) order(t *testing.T, b buyer, number string) *orderv1.Order {
	t.Helper()
	return must(e.orders.GetOrder(b.ctx, &orderv1.GetOrderRequest{Number: number})).GetOrder()
}

// waitStatus waits until the buyer's order reaches status.
func (e *env) waitStatus(t *testing.T, b buyer, number string, want orderv1.OrderStatus) *orderv1.Order {
	t.Helper()
	var o *orderv1.Order
	eventually(t, fmt.Sprintf("order %s %v", number, want), func() bool {
		o = e.order(t, b, number)
		return o.GetStatus() == want
	})
	return o
}

func (e *env) stock(t *testing.T, variantID string) int64 {
	t.Helper()
	var n int64
	if err := e.catDB.QueryRow(context.Background(), `SELECT stock FROM variants WHERE id = $1`, variantID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func (e *env) reservation(t *testing.T, orderID string) string {
	t.Helper()
	var s string
	err := e.catDB.QueryRow(context.Background(), `SELECT status FROM reservations WHERE order_id = $1`, orderID).Scan(&s)
	if err != nil {
		return "none"
	}
	return s
}

func (e *env) paymentStatus(t *testing.T, b buyer, id string) *paymentv1.Payment {
	t.Helper()
	return must(e.payments.GetPayment(b.ctx, &paymentv1.GetPaymentRequest{Id: id})).GetPayment()
}

// published counts the messages on subject in service's stream.
func (e *env) published(t *testing.T, service, subject string) uint64 {
	t.Helper()
	s, err := e.js.Stream(context.Background(), events.StreamName(service))
	if err != nil {
		return 0
	}
	info, err := s.Info(context.Background(), jetstream.WithSubjectFilter(subject))
	if err != nil {
		t.Fatal(err)
	}
	return info.State.Subjects[subject]
}

// mails returns the mail sent to addr.
func (e *env) mails(addr string) []smtpsink.Message {
	var out []smtpsink.Message
	for _, m := range e.sink.Messages() {
		if m.SentTo(addr) {
			out = append(out, m)
		}
	}
	return out
}

func (e *env) consumed(t *testing.T, consumer string) int {
	t.Helper()
	var n int
	if err := e.db.QueryRow(context.Background(), `SELECT count(*) FROM inbox WHERE consumer = $1`, consumer).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// settle waits a moment for anything still in flight that should not happen.
func settle() { time.Sleep(700 * time.Millisecond) }

// must returns v, panicking on err: a setup call that fails ends the test.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// wantCode fails unless err has code and, when set, that ErrorInfo reason.
func wantCode(t *testing.T, err error, code codes.Code, reason string) *status.Status {
	t.Helper()
	st := status.Convert(err)
	if st.Code() != code {
		t.Fatalf("code = %v (%v), want %v", st.Code(), err, code)
	}
	if reason == "" {
		return st
	}
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok && info.GetReason() == reason {
			return st
		}
	}
	t.Fatalf("reason of %v is not %q", err, reason)
	return st
}

// testLogger is zaptest's logger in tests. In benchmarks it is a production
// logger (JSON, info) writing nowhere: the figures include encoding every
// log line, but not the testing package's lock around each one.
func testLogger(t testing.TB) *zap.Logger {
	if _, ok := t.(*testing.B); ok {
		enc := zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig())
		return zap.New(zapcore.NewCore(enc, zapcore.AddSync(io.Discard), zap.InfoLevel))
	}
	return zaptest.NewLogger(t)
}

// loseRecord deletes the recorded answer of the call made with key once it
// is written (a moment after the answer, for calls run outside a keyed
// transaction), as if the process had died before writing it.
func (e *env) loseRecord(t *testing.T, key string) {
	t.Helper()
	eventually(t, "the record of "+key, func() bool {
		tag, err := e.db.Exec(context.Background(), `DELETE FROM idempotency_keys WHERE key = $1`, key)
		if err != nil {
			t.Fatal(err)
		}
		return tag.RowsAffected() == 1
	})
}
