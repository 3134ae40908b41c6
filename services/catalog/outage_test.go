package catalog_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
	"github.com/jangteo/jangteo/platform/service"
	"github.com/jangteo/jangteo/platform/testkit"
	"github.com/jangteo/jangteo/services/catalog"
)

// While PostgreSQL or NATS is unreachable the service says NOT_SERVING on its
// health check and answers calls 503 with Retry-After, never 500; when they
// come back it serves again by itself.
func TestOutagesAre503AndHealthFollows(t *testing.T) {
	t.Parallel()
	dbURL, _ := url.Parse(testkit.Database(t))
	db := testkit.NewProxy(t, dbURL.Host)
	dbURL.Host = db.Addr()
	natsURL, _ := url.Parse(testkit.NATS(t))
	bus := testkit.NewProxy(t, natsURL.Host)
	natsURL.Host = bus.Addr()

	cfg := catalog.DefaultConfig()
	cfg.DatabaseURL, cfg.NATSURL, cfg.MetricsAddr = dbURL.String(), natsURL.String(), ""
	cfg.Images.Dir = t.TempDir()
	iss := testkit.NewIssuer()
	lis := testkit.Listen(t)
	svc, err := catalog.New(t.Context(), cfg, zaptest.NewLogger(t), service.Options{Keys: iss.Fetch(), Listener: lis})
	if err != nil {
		t.Fatal(err)
	}
	testkit.Run(t, svc)
	conn := testkit.Dial(t, lis.Addr().String())
	client, health := catalogv1.NewCatalogServiceClient(conn), healthpb.NewHealthClient(conn)
	ctx := context.Background()

	waitHealth := func(want healthpb.HealthCheckResponse_ServingStatus) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for {
			resp, err := health.Check(ctx, &healthpb.HealthCheckRequest{})
			if err == nil && resp.GetStatus() == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("health = %v, %v; want %v", resp.GetStatus(), err, want)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	waitHealth(healthpb.HealthCheckResponse_SERVING)
	if _, err := client.ListCategories(ctx, &catalogv1.ListCategoriesRequest{}); err != nil {
		t.Fatal(err)
	}

	db.Cut()
	for range 5 { // the pool's broken connections first, then failed connects
		_, err := client.ListCategories(ctx, &catalogv1.ListCategoriesRequest{})
		st := status.Convert(err)
		if st.Code() != codes.Unavailable || !hasDetail[*errdetails.RetryInfo](st) {
			t.Fatalf("read during a database outage = %v %q; want Unavailable with RetryInfo", st.Code(), st.Message())
		}
	}
	staff := as(iss.Token("staff-1", "staff"))
	_, err = client.CreateCategory(staff, &catalogv1.CreateCategoryRequest{Name: "outage"})
	if code := status.Code(err); code != codes.Unavailable {
		t.Fatalf("write during a database outage = %v; want Unavailable", err)
	}
	waitHealth(healthpb.HealthCheckResponse_NOT_SERVING)
	db.Restore()
	waitHealth(healthpb.HealthCheckResponse_SERVING)
	if _, err := client.ListCategories(ctx, &catalogv1.ListCategoriesRequest{}); err != nil {
		t.Fatalf("after the database came back: %v", err)
	}

	bus.Cut()
	waitHealth(healthpb.HealthCheckResponse_NOT_SERVING)
	bus.Restore()
	waitHealth(healthpb.HealthCheckResponse_SERVING)
}

func hasDetail[T any](st *status.Status) bool {
	for _, d := range st.Details() {
		if _, ok := d.(T); ok {
			return true
		}
	}
	return false
}
