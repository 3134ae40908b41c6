// Package idempotency makes retried calls safe: an RPC that declares
// (jangteo.options.v1.idempotency_key_required) takes an Idempotency-Key, and
// however often a client sends the same request with the same key, its effect
// happens once and every answer is the first one.
//
// The semantics are those of the IETF httpapi idempotency-key draft:
//
//   - no key where one is required, or a malformed one → 400;
//   - the key with a different request → 422 (IDEMPOTENCY_KEY_REUSED);
//   - the key while its first request still runs → 409 (IDEMPOTENCY_KEY_IN_USE)
//     with Retry-After;
//   - the key again → the first outcome: the same response message, the same
//     response headers (the 201 of grpcserver.SetHTTPCode), or the same error
//     status. A transient failure (unavailable, deadline, internal) is not an
//     outcome: it leaves nothing behind, and a retry runs the call again.
//
// Keys are scoped by the caller (user, service or anonymous) and the method,
// and kept for a TTL (24 h by default).
//
// A method registered with Keys.RunOutside is one whose handler makes its
// effect idempotent by the key itself: every row it creates has an id from
// Derive, so running it again finds what the first run made and answers the
// same. Such a call runs outside the key's transaction, so its use case can
// commit together with others (the market's matcher writes a batch of
// placements in one transaction): the key is looked up, the call is marked
// in flight in this replica, the handler runs, and its outcome is recorded
// after the effect committed — many at once, in one statement, after they
// were answered, and kept in memory until then (recorder.go). A crash before
// the record is written leaves the effect without it; the retry runs the
// handler again, which finds the effect by its derived id. Two replicas
// taking the same key at once both run the handler, and the effect's derived
// id makes the second find the first's.
//
// Both or neither: the interceptor runs the call inside one transaction that
// holds the key (a transaction-scoped advisory lock, which is what "in flight"
// means) and, when the handler returns, records the outcome and commits. The
// use case's postgres.InTx joins that transaction as a savepoint, so the
// effect, its outbox rows and the recorded response commit together or not at
// all; a crash at any point leaves neither, and the key free.
package idempotency

import (
	"context"
	"crypto/sha256"
	"embed"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	optionsv1 "github.com/jangteo/jangteo/gen/go/jangteo/options/v1"
	"github.com/jangteo/jangteo/platform/auth"
	"github.com/jangteo/jangteo/platform/errs"
	"github.com/jangteo/jangteo/platform/postgres"
)

// Header is the HTTP request header carrying the key; the gateway forwards it
// as the gRPC metadata MetadataKey.
const (
	Header      = "Idempotency-Key"
	MetadataKey = "idempotency-key"
	// MaxKeyLength bounds a key; a UUID is 36.
	MaxKeyLength = 255
	// ReplayedHeader is response metadata ("true") on a replayed answer; the
	// gateway sends it as the Idempotent-Replayed header.
	ReplayedHeader = "idempotent-replayed"
)

// DefaultTTL is how long a key is kept when Options.TTL is zero.
const DefaultTTL = 24 * time.Hour

// Errors a client sees.
var (
	ErrKeyMissing  = errs.New(errs.Invalid, "IDEMPOTENCY_KEY_MISSING", "this call needs an Idempotency-Key header")
	ErrKeyInvalid  = errs.New(errs.Invalid, "IDEMPOTENCY_KEY_INVALID", "the Idempotency-Key header is malformed")
	ErrKeyReused   = errs.New(errs.Unprocessable, "IDEMPOTENCY_KEY_REUSED", "this Idempotency-Key was already used for a different request")
	ErrKeyInUse    = errs.New(errs.Conflict, "IDEMPOTENCY_KEY_IN_USE", "a request with this Idempotency-Key is still being processed; retry shortly")
	ErrUnavailable = errs.New(errs.Unavailable, "IDEMPOTENCY_UNAVAILABLE", "the request cannot be recorded right now; retry shortly")
)

// Migrations create the idempotency_keys table in a service's schema: the set
// "idempotency", applied by service.Start.
var Migrations = postgres.MigrationSet{Name: "idempotency", FS: migrationFiles, Dir: "migrations"}

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Options tune Keys.
type Options struct {
	// TTL is how long an outcome is replayed; DefaultTTL when zero.
	TTL time.Duration
	// RetryAfter is what a 409 tells the client to wait; one second when zero.
	RetryAfter time.Duration
	// MaxCalls bounds the keyed calls a replica runs at once (each holds a
	// connection of its own pool); DefaultMaxCalls when zero.
	MaxCalls int32
	// Required overrides which methods take a key (tests); by default it is
	// the method's (jangteo.options.v1.idempotency_key_required) option.
	Required func(fullMethod string) bool
}

// DefaultMaxCalls is Options.MaxCalls when zero.
const DefaultMaxCalls = 16

// Keys stores the keys of one service's schema and enforces them.
type Keys struct {
	pool       *pgxpool.Pool // the service's
	calls      *pgxpool.Pool // the keyed calls' transactions
	ttl        time.Duration
	retryAfter time.Duration
	required   func(string) bool
	cache      sync.Map // full method → bool
	outside    sync.Map // full method → struct{}: RunOutside
	inFlight   sync.Map // call.id() → struct{}: outside calls running in this replica
	recorder   *recorder
}

// RunOutside makes the calls of these full method names run outside the
// key's transaction (see the package comment): their handlers must derive
// the ids of what they create from the key (Derive), and answer a retry from
// what an earlier run made, or ErrKeyReused when that was made for another
// request. Register methods before serving.
func (k *Keys) RunOutside(methods ...string) {
	for _, m := range methods {
		k.outside.Store(m, struct{}{})
	}
}

// New returns the keys of the schema pool serves. Keyed calls run their
// transactions on connections of a second pool, opened here with pool's
// settings: a handler that also reads through pool then never waits for a
// connection that keyed calls, its own among them, are holding. Close it with
// Close.
func New(pool *pgxpool.Pool, opts Options) (*Keys, error) {
	if opts.MaxCalls <= 0 {
		opts.MaxCalls = DefaultMaxCalls
	}
	calls, err := postgres.Sibling(pool, opts.MaxCalls)
	if err != nil {
		return nil, fmt.Errorf("idempotency: %w", err)
	}
	k := &Keys{pool: pool, calls: calls, ttl: opts.TTL, retryAfter: opts.RetryAfter, required: opts.Required}
	k.recorder = newRecorder(k)
	if k.ttl <= 0 {
		k.ttl = DefaultTTL
	}
	if k.retryAfter <= 0 {
		k.retryAfter = time.Second
	}
	if k.required == nil {
		k.required = k.requiredCached
	}
	return k, nil
}

// MaxCalls is how many keyed calls the replica runs at once.
func (k *Keys) MaxCalls() int32 { return k.calls.Config().MaxConns }

// Close writes the outcomes still waiting to be recorded and closes the
// keyed calls' connections.
func (k *Keys) Close() {
	k.recorder.drain()
	k.calls.Close()
}

// Required reports whether a full gRPC method name
// ("/jangteo.order.v1.OrderService/CreateOrder") declares
// (jangteo.options.v1.idempotency_key_required).
func Required(fullMethod string) bool {
	name := strings.ReplaceAll(strings.TrimPrefix(fullMethod, "/"), "/", ".")
	d, err := protoregistry.GlobalFiles.FindDescriptorByName(protoreflect.FullName(name))
	if err != nil {
		return false
	}
	md, ok := d.(protoreflect.MethodDescriptor)
	if !ok {
		return false
	}
	required, _ := proto.GetExtension(md.Options(), optionsv1.E_IdempotencyKeyRequired).(bool)
	return required
}

func (k *Keys) requiredCached(method string) bool {
	if v, ok := k.cache.Load(method); ok {
		return v.(bool)
	}
	v := Required(method)
	k.cache.Store(method, v)
	return v
}

// CheckServer fails when an RPC registered on s requires a key that cannot be
// enforced: a streaming one (only unary calls can be replayed), or any, when
// the server has no key store (keys is nil).
func CheckServer(s *grpc.Server, keys *Keys) error {
	for svc, info := range s.GetServiceInfo() {
		for _, m := range info.Methods {
			method := "/" + svc + "/" + m.Name
			if !Required(method) {
				continue
			}
			if m.IsClientStream || m.IsServerStream {
				return fmt.Errorf("idempotency: %s streams and cannot require an idempotency key", method)
			}
			if keys == nil {
				return fmt.Errorf("idempotency: %s requires an idempotency key but the server has no key store", method)
			}
		}
	}
	return nil
}

// keyFrom reads and checks the call's key.
func keyFrom(ctx context.Context) (string, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	return ParseKey(md.Get(MetadataKey)...)
}

// ParseKey checks the values of a request's Idempotency-Key header and returns
// the key: exactly one value, 1 to MaxKeyLength printable ASCII characters,
// either bare or as the draft's structured-field string ("\"8e03…\""). Its
// errors are ErrKeyMissing or ErrKeyInvalid, naming the header.
func ParseKey(values ...string) (string, error) {
	switch len(values) {
	case 0:
		return "", ErrKeyMissing.WithFields(errs.Field(Header, "this call needs an Idempotency-Key header (a UUID is a good key)"))
	case 1:
	default:
		return "", invalid("send exactly one Idempotency-Key")
	}
	v := values[0]
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		v = strings.NewReplacer(`\"`, `"`, `\\`, `\`).Replace(v[1 : len(v)-1])
	}
	switch {
	case v == "":
		return "", invalid("must not be empty")
	case len(v) > MaxKeyLength:
		return "", invalid(fmt.Sprintf("must be at most %d characters", MaxKeyLength))
	}
	for i := 0; i < len(v); i++ {
		if v[i] < 0x20 || v[i] > 0x7e {
			return "", invalid("must be printable ASCII")
		}
	}
	return v, nil
}

func invalid(problem string) error {
	return ErrKeyInvalid.WithFields(errs.Field(Header, problem))
}

// scopeOf names the caller a key belongs to: two callers never share keys.
// Anonymous callers share one scope; an RPC taking keys from them should make
// its request unguessable (a cart token) so a replay reveals nothing.
func scopeOf(ctx context.Context) string {
	if p, ok := auth.FromContext(ctx); ok && p.UserID != "" {
		return "user:" + p.UserID
	}
	return "anonymous"
}

// fingerprint identifies a request's content.
func fingerprint(req proto.Message) ([]byte, error) {
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("idempotency: fingerprint: %w", err)
	}
	sum := sha256.Sum256(b)
	return sum[:], nil
}
