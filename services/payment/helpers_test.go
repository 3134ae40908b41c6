package payment_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/zap/zaptest"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	paymentv1 "github.com/jangteo/jangteo/gen/go/jangteo/payment/v1"
	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/platform/service"
	"github.com/jangteo/jangteo/platform/testkit"
	"github.com/jangteo/jangteo/services/payment"
)

// env is a running payment service on a fresh database with direct access
// to its schema (outbox, ledger, audit log).
type env struct {
	iss     *testkit.Issuer
	addr    string
	natsURL string
	db      *pgxpool.Pool
	client  paymentv1.PaymentServiceClient
}

func start(t *testing.T) *env {
	t.Helper()
	e := &env{iss: testkit.NewIssuer()}
	cfg := payment.DefaultConfig()
	cfg.DatabaseURL, cfg.NATSURL, cfg.MetricsAddr = testkit.Database(t), testkit.NATS(t), ""
	e.natsURL = cfg.NATSURL
	cfg.PublicURL = "http://shop.test"
	lis := testkit.Listen(t)
	svc, err := payment.New(t.Context(), cfg, zaptest.NewLogger(t).Named("payment"), service.Options{Keys: e.iss.Fetch(), Listener: lis})
	if err != nil {
		t.Fatal(err)
	}
	testkit.Run(t, svc)
	e.addr = lis.Addr().String()
	e.client = paymentv1.NewPaymentServiceClient(testkit.Dial(t, e.addr))
	db, err := postgres.Connect(context.Background(), cfg.DatabaseURL, payment.Name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	e.db = db
	return e
}

// service is the context of another service calling an internal RPC (the
// service identity is attached by platform/grpcclient in production).
func (e *env) service() context.Context { return context.Background() }

func (e *env) user(id string) context.Context {
	return metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+e.iss.Token(id, "customer"))
}

func (e *env) staff() context.Context {
	return metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+e.iss.Token(uuid.NewString(), "staff"))
}

// order is an order to pay: a fresh order and buyer each time.
type order struct {
	id, number, buyer string
	amount            int64
}

func newOrder(amount int64) order {
	id := uuid.NewString()
	return order{id: id, number: "JT-261201-" + id[:5], buyer: uuid.NewString(), amount: amount}
}

func (o order) request(key string) *paymentv1.CreatePaymentRequest {
	return &paymentv1.CreatePaymentRequest{
		OrderId: o.id, OrderNumber: o.number, UserId: o.buyer, Amount: o.amount, Currency: "KRW",
		OrderName: "러닝화 외 1건", Provider: "sandbox",
		ReturnUrl: "https://shop.example/orders/" + o.number + "?paid=1", CancelUrl: "https://shop.example/checkout",
		IdempotencyKey: key,
	}
}

// pay creates a READY sandbox payment of o.
func (e *env) pay(t *testing.T, o order) *paymentv1.Payment {
	t.Helper()
	p := must(e.client.CreatePayment(e.service(), o.request(uuid.NewString()))).GetPayment()
	if p.GetStatus() != paymentv1.PaymentStatus_PAYMENT_STATUS_READY {
		t.Fatalf("new payment = %v", p)
	}
	return p
}

// approve creates and approves a payment of o.
func (e *env) approve(t *testing.T, o order) *paymentv1.Payment {
	t.Helper()
	p := e.pay(t, o)
	return must(e.client.ApproveSandboxPayment(context.Background(), &paymentv1.ApproveSandboxPaymentRequest{Id: p.GetId()})).GetPayment()
}

// outbox decodes the outbox rows on subject about paymentID, oldest first.
func outbox[M proto.Message](t *testing.T, e *env, subject, paymentID string, newM func() M) []M {
	t.Helper()
	rows, err := e.db.Query(context.Background(), `SELECT payload FROM outbox WHERE subject = $1 ORDER BY created_at, id`, subject)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []M
	for rows.Next() {
		var payload []byte
		if err := rows.Scan(&payload); err != nil {
			t.Fatal(err)
		}
		m := newM()
		if err := proto.Unmarshal(payload, m); err != nil {
			t.Fatal(err)
		}
		if m.ProtoReflect().Get(m.ProtoReflect().Descriptor().Fields().ByName("payment_id")).String() == paymentID {
			out = append(out, m)
		}
	}
	return out
}

func (e *env) get(t *testing.T, id string) *paymentv1.Payment {
	t.Helper()
	return must(e.client.GetPayment(e.staff(), &paymentv1.GetPaymentRequest{Id: id})).GetPayment()
}

// wantCode fails unless err has code and, when reason is set, that ErrorInfo reason.
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
	t.Fatalf("details %v lack reason %s", st.Details(), reason)
	return nil
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
