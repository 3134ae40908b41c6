package catalog_test

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap/zaptest"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
	typev1 "github.com/jangteo/jangteo/gen/go/jangteo/type/v1"
	"github.com/jangteo/jangteo/platform/service"
	"github.com/jangteo/jangteo/platform/testkit"
	"github.com/jangteo/jangteo/services/catalog"
)

type env struct {
	client catalogv1.CatalogServiceClient
	spaces catalogv1.SpaceServiceClient
	iss    *testkit.Issuer
	js     jetstream.JetStream
	svc    *catalog.Service
	addr   string // the gRPC address
	cfg    catalog.Config
}

// start runs a catalog on a fresh database and NATS; opts adjust its config.
func start(t *testing.T, opts ...func(*catalog.Config)) env {
	t.Helper()
	cfg := catalog.DefaultConfig()
	cfg.DatabaseURL = testkit.Database(t)
	cfg.NATSURL = testkit.NATS(t)
	cfg.MetricsAddr = ""
	cfg.Images.Dir = t.TempDir()
	for _, o := range opts {
		o(&cfg)
	}
	iss := testkit.NewIssuer()
	lis := testkit.Listen(t)
	svc, err := catalog.New(t.Context(), cfg, zaptest.NewLogger(t), service.Options{Keys: iss.Fetch(), Listener: lis})
	if err != nil {
		t.Fatal(err)
	}
	testkit.Run(t, svc)
	conn := testkit.Dial(t, lis.Addr().String())
	nc, err := nats.Connect(cfg.NATSURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, _ := jetstream.New(nc)
	return env{client: catalogv1.NewCatalogServiceClient(conn), spaces: catalogv1.NewSpaceServiceClient(conn), iss: iss, js: js, svc: svc, addr: lis.Addr().String(), cfg: cfg}
}

// replica runs a second catalog on e's database and NATS, as another pod of
// the same deployment would, and returns its client.
func replica(t *testing.T, e env) catalogv1.CatalogServiceClient {
	t.Helper()
	lis := testkit.Listen(t)
	svc, err := catalog.New(t.Context(), e.cfg, zaptest.NewLogger(t), service.Options{Keys: e.iss.Fetch(), Listener: lis})
	if err != nil {
		t.Fatal(err)
	}
	testkit.Run(t, svc)
	return catalogv1.NewCatalogServiceClient(testkit.Dial(t, lis.Addr().String()))
}

func as(token string) context.Context {
	return metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+token)
}

func TestCreateAndBrowseProducts(t *testing.T) {
	t.Parallel()
	e := start(t)
	staff := as(e.iss.Token("staff-1", "staff"))

	shoes, err := e.client.CreateCategory(staff, &catalogv1.CreateCategoryRequest{Name: "신발"})
	if err != nil {
		t.Fatal(err)
	}
	if got := shoes.GetCategory().GetSlug(); got != "sinbal" {
		t.Fatalf("derived slug = %q, want sinbal", got)
	}
	sneakers, err := e.client.CreateCategory(staff, &catalogv1.CreateCategoryRequest{Name: "Sneakers", ParentId: shoes.GetCategory().GetId()})
	if err != nil {
		t.Fatal(err)
	}
	created, err := e.client.CreateProduct(staff, &catalogv1.CreateProductRequest{
		Name: "나이키 에어포스 1", CategoryId: sneakers.GetCategory().GetId(),
		Price: &typev1.Money{Amount: 139000, Currency: "KRW"},
	})
	if err != nil {
		t.Fatal(err)
	}
	p := created.GetProduct()
	if p.GetSlug() != "naiki-eeoposeu-1" || !p.GetAvailable() || p.GetCategorySlug() != "sneakers" {
		t.Fatalf("created = %v", p)
	}
	// A second product with the same name gets a unique slug.
	again, err := e.client.CreateProduct(staff, &catalogv1.CreateProductRequest{
		Name: "나이키 에어포스 1", CategoryId: sneakers.GetCategory().GetId(), Price: &typev1.Money{Amount: 1, Currency: "KRW"},
	})
	if err != nil || again.GetProduct().GetSlug() != "naiki-eeoposeu-1-2" {
		t.Fatalf("second slug = %q, %v", again.GetProduct().GetSlug(), err)
	}

	got, err := e.client.GetProduct(context.Background(), &catalogv1.GetProductRequest{Slug: p.GetSlug()})
	if err != nil || !proto.Equal(got.GetProduct(), p) {
		t.Fatalf("GetProduct = %v, %v; want %v", got.GetProduct(), err, p)
	}
	// The parent category's listing includes its sub-categories.
	list, err := e.client.ListProducts(context.Background(), &catalogv1.ListProductsRequest{Category: "sinbal", PageSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	if list.GetTotalCount() != 2 || list.GetTotalPages() != 2 || len(list.GetProducts()) != 1 {
		t.Fatalf("list = %v", list)
	}
	tree, err := e.client.ListCategories(context.Background(), &catalogv1.ListCategoriesRequest{})
	if err != nil || len(tree.GetCategories()) != 1 || len(tree.GetCategories()[0].GetChildren()) != 1 {
		t.Fatalf("tree = %v, %v", tree, err)
	}

	// The creation reached JetStream through the outbox.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	stream, err := e.js.Stream(ctx, "CATALOG")
	if err != nil {
		t.Fatal(err)
	}
	cons, err := stream.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{FilterSubjects: []string{"catalog.product_changed"}})
	if err != nil {
		t.Fatal(err)
	}
	msg, err := cons.Next(jetstream.FetchMaxWait(10 * time.Second))
	if err != nil {
		t.Fatal(err)
	}
	var ev catalogv1.ProductChanged
	if err := proto.Unmarshal(msg.Data(), &ev); err != nil {
		t.Fatal(err)
	}
	if ev.GetProductId() != p.GetId() || ev.GetChange() != catalogv1.ProductChanged_CHANGE_CREATED || msg.Headers().Get("Nats-Msg-Id") == "" {
		t.Fatalf("event = %v", &ev)
	}
}

func TestCreateProductErrors(t *testing.T) {
	t.Parallel()
	e := start(t)
	valid := &catalogv1.CreateProductRequest{Name: "x", CategoryId: "0190a5e0-0000-7000-8000-000000000000", Price: &typev1.Money{Amount: 1, Currency: "KRW"}}
	tests := []struct {
		name  string
		ctx   context.Context
		req   *catalogv1.CreateProductRequest
		code  codes.Code
		field string
	}{
		{"no token", context.Background(), valid, codes.Unauthenticated, ""},
		{"customer", as(e.iss.Token("u", "customer")), valid, codes.PermissionDenied, ""},
		{"empty name", as(e.iss.Token("u", "staff")), &catalogv1.CreateProductRequest{CategoryId: valid.CategoryId, Price: valid.Price}, codes.InvalidArgument, "name"},
		{"negative price", as(e.iss.Token("u", "staff")), &catalogv1.CreateProductRequest{Name: "x", CategoryId: valid.CategoryId, Price: &typev1.Money{Amount: -1, Currency: "KRW"}}, codes.InvalidArgument, "price.amount"},
		{"missing price", as(e.iss.Token("u", "staff")), &catalogv1.CreateProductRequest{Name: "x", CategoryId: valid.CategoryId}, codes.InvalidArgument, "price"},
		{"unknown category", as(e.iss.Token("u", "staff")), valid, codes.NotFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.client.CreateProduct(tt.ctx, tt.req)
			st := status.Convert(err)
			if st.Code() != tt.code {
				t.Fatalf("code = %v (%v), want %v", st.Code(), err, tt.code)
			}
			if tt.field != "" && !hasField(st, tt.field) {
				t.Fatalf("details %v do not name %q", st.Details(), tt.field)
			}
		})
	}
	if _, err := e.client.GetProduct(context.Background(), &catalogv1.GetProductRequest{Slug: "nope"}); status.Code(err) != codes.NotFound {
		t.Fatalf("GetProduct(nope) = %v, want NotFound", err)
	}
}

func hasField(st *status.Status, field string) bool {
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, v := range br.GetFieldViolations() {
				if v.GetField() == field {
					return true
				}
			}
		}
	}
	return false
}
