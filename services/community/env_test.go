package community_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap/zaptest"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
	communityv1 "github.com/jangteo/jangteo/gen/go/jangteo/community/v1"
	"github.com/jangteo/jangteo/platform/events"
	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/platform/service"
	"github.com/jangteo/jangteo/platform/testkit"
	"github.com/jangteo/jangteo/services/catalog"
	"github.com/jangteo/jangteo/services/community"
)

// env is a running community service with a client, its token issuer and
// direct access to its tables.
type env struct {
	iss     *testkit.Issuer
	db      *pgxpool.Pool
	client  communityv1.CommunityServiceClient
	addr    string
	natsURL string
	catalog catalogv1.CatalogServiceClient
	// svc and catalogSvc are the running services (for their demo seeds).
	svc        *community.Service
	catalogSvc *catalog.Service
}

func start(t *testing.T) *env { t.Helper(); return startWith(t, options{}) }

// options adjust a test's service.
type options struct {
	// catalog runs a real catalog service beside the community.
	catalog bool
	// configure adjusts the community's configuration.
	configure func(*community.Config)
}

// startWith starts the service as o says.
func startWith(t *testing.T, o options) *env {
	t.Helper()
	e := &env{iss: testkit.NewIssuer()}
	dbURL := testkit.Database(t)
	e.natsURL = testkit.NATS(t)
	cfg := community.DefaultConfig()
	cfg.DatabaseURL, cfg.NATSURL, cfg.MetricsAddr = dbURL, e.natsURL, ""
	cfg.CatalogEndpoint = "127.0.0.1:1" // nothing listens
	cfg.Images.Dir = t.TempDir()
	if o.catalog {
		ccfg := catalog.DefaultConfig()
		ccfg.DatabaseURL, ccfg.NATSURL, ccfg.MetricsAddr = dbURL, e.natsURL, ""
		ccfg.Images.Dir = t.TempDir()
		lis := testkit.Listen(t)
		svc, err := catalog.New(t.Context(), ccfg, zaptest.NewLogger(t).Named("catalog"), service.Options{Keys: e.iss.Fetch(), Listener: lis})
		if err != nil {
			t.Fatal(err)
		}
		testkit.Run(t, svc)
		e.catalogSvc = svc
		cfg.CatalogEndpoint = lis.Addr().String()
		e.catalog = catalogv1.NewCatalogServiceClient(testkit.Dial(t, cfg.CatalogEndpoint))
	}
	if configure := o.configure; configure != nil {
		configure(&cfg)
	}
	lis := testkit.Listen(t)
	svc, err := community.New(t.Context(), cfg, zaptest.NewLogger(t).Named("community"), service.Options{Keys: e.iss.Fetch(), Tokens: e.iss.Tokens(community.Name), Listener: lis})
	if err != nil {
		t.Fatal(err)
	}
	testkit.Run(t, svc)
	e.svc = svc
	e.addr = lis.Addr().String()
	e.client = communityv1.NewCommunityServiceClient(testkit.Dial(t, e.addr))
	if e.db, err = postgres.Connect(context.Background(), dbURL, community.Name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.db.Close)
	return e
}

// user is a signed-in member with a profile.
type user struct {
	id, username, name string
	ctx                context.Context
}

// newUser creates a member whose profile community already knows.
func (e *env) newUser(t *testing.T, username, name string, roles ...string) user {
	t.Helper()
	id := uuid.NewString()
	if len(roles) == 0 {
		roles = []string{"customer"}
	}
	if _, err := e.db.Exec(context.Background(),
		`INSERT INTO profiles (user_id, username, name) VALUES ($1, nullif($2, ''), $3)`, id, username, name); err != nil {
		t.Fatal(err)
	}
	return user{id: id, username: username, name: name, ctx: e.as(id, roles...)}
}

func (e *env) as(id string, roles ...string) context.Context {
	return metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+e.iss.Token(id, roles...))
}

// visitor is a caller without a token.
var visitor = context.Background()

// must returns v, or panics on err: setup calls whose failure makes the rest
// of a test meaningless.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// wantCode fails unless err has code and, when field is set, a BadRequest
// violation naming field.
func wantCode(t *testing.T, err error, code codes.Code, field string) *status.Status {
	t.Helper()
	st := status.Convert(err)
	if st.Code() != code {
		t.Fatalf("code = %v (%v), want %v", st.Code(), err, code)
	}
	if field == "" {
		return st
	}
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, v := range br.GetFieldViolations() {
				if v.GetField() == field {
					return st
				}
			}
		}
	}
	t.Fatalf("details %v do not name %q", st.Details(), field)
	return st
}

// jsonOf renders m as the gateway would.
func jsonOf(m proto.Message) string { return protojson.Format(m) }

// leaks returns the secrets that appear in m's JSON.
func leaks(m proto.Message, secrets ...string) []string {
	s := jsonOf(m)
	var found []string
	for _, sec := range secrets {
		if sec != "" && strings.Contains(s, sec) {
			found = append(found, sec)
		}
	}
	return found
}

// boards creates the boards most tests use: a general board that allows
// anonymity, and a notice board with labels.
func (e *env) boards(t *testing.T, staff context.Context) (free, notice *communityv1.Board) {
	t.Helper()
	free = must(e.client.CreateBoard(staff, &communityv1.CreateBoardRequest{
		Slug: "free", Name: "자유게시판", Category: "커뮤니티", AnonymousAllowed: true,
	})).GetBoard()
	notice = must(e.client.CreateBoard(staff, &communityv1.CreateBoardRequest{
		Slug: "notice", Name: "공지사항", Category: "공지", Kind: communityv1.BoardKind_BOARD_KIND_NOTICE,
		Labels: []string{"공지", "이벤트"},
	})).GetBoard()
	return free, notice
}

// publish publishes an event on another service's stream the way its relay
// does, with the event id as Nats-Msg-Id.
func (e *env) publish(t *testing.T, service, subject, eventID string, m proto.Message) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	nc, err := nats.Connect(e.natsURL)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := events.EnsureStream(ctx, js, service); err != nil {
		t.Fatal(err)
	}
	msg := nats.NewMsg(subject)
	msg.Data = must(proto.Marshal(m))
	msg.Header.Set(events.HeaderMsgID, eventID)
	msg.Header.Set(events.HeaderType, string(m.ProtoReflect().Descriptor().FullName()))
	if _, err := js.PublishMsg(ctx, msg); err != nil {
		t.Fatal(err)
	}
}

// eventually retries cond for up to 10 seconds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
