package idempotency

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/jangteo/jangteo/platform/errs"
	"github.com/jangteo/jangteo/platform/postgres"
)

// UnaryInterceptor enforces keys on the RPCs that require one and passes every
// other call through. grpcserver installs it after the access policy (so the
// caller is known) and validation (so an invalid request records nothing).
func (k *Keys) UnaryInterceptor() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		if !k.required(info.FullMethod) {
			return handler(ctx, req)
		}
		msg, ok := req.(proto.Message)
		if !ok {
			return nil, fmt.Errorf("idempotency: %s: request %T is not a proto message", info.FullMethod, req)
		}
		key, err := keyFrom(ctx)
		if err != nil {
			return nil, err
		}
		fp, err := fingerprint(msg)
		if err != nil {
			return nil, err
		}
		c := call{scope: scopeOf(ctx), method: info.FullMethod, key: key, fingerprint: fp}
		h := func(ctx context.Context) (any, error) { return handler(ctx, req) }
		if _, ok := k.outside.Load(info.FullMethod); ok {
			return k.runOutside(ctx, c, h)
		}
		return k.run(ctx, c, h)
	}
}

// call is one request made with a key.
type call struct {
	scope, method, key string
	fingerprint        []byte
}

// id names the call's key: its scope, method and key.
func (c call) id() string { return c.scope + " " + c.method + " " + c.key }

// run answers c from its recorded outcome, or runs handler inside the
// transaction that holds the key and records its outcome there.
func (k *Keys) run(ctx context.Context, c call, handler func(ctx context.Context) (any, error)) (any, error) {
	tx, err := k.calls.Begin(ctx)
	if err != nil {
		return nil, unavailable(ctx, "begin", err)
	}
	// After Commit this does nothing; otherwise it releases the key and undoes
	// whatever the handler did.
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // the connection is discarded on failure

	prior, err := c.claim(ctx, tx)
	switch {
	case errors.Is(err, errInFlight):
		count(c.method, outcomeInFlight)
		return nil, ErrKeyInUse.After(k.retryAfter)
	case err != nil:
		return nil, unavailable(ctx, "claim", err)
	case prior != nil:
		_ = tx.Rollback(ctx)
		return k.answer(ctx, c, prior)
	}

	hctx := withCall(postgres.WithTx(ctx, k.pool, tx), c)
	return k.runRecorded(hctx, c, handler, func(ctx context.Context, out outcome) error {
		if err := out.save(ctx, tx, c, k.ttl); err != nil {
			return fmt.Errorf("idempotency: record %s: %w", c.method, err)
		}
		if err := tx.Commit(ctx); err != nil {
			return fmt.Errorf("idempotency: commit %s: %w", c.method, err)
		}
		return nil
	})
}

// runRecorded runs handler and, when its outcome is final, records it with
// record; a transient failure records nothing.
func (k *Keys) runRecorded(ctx context.Context, c call, handler func(ctx context.Context) (any, error), record func(ctx context.Context, out outcome) error) (any, error) {
	rec := recordHeaders(ctx)
	resp, herr := handler(grpc.NewContextWithServerTransportStream(ctx, rec))
	out, final, err := outcomeOf(resp, herr, rec.recorded())
	if err != nil {
		return nil, fmt.Errorf("idempotency: %s: %w", c.method, err)
	}
	if !final {
		count(c.method, outcomeReleased)
		return resp, herr
	}
	// The handler is done: record even if the client has gone, so its retry
	// finds the outcome.
	if err := record(context.WithoutCancel(ctx), out); err != nil {
		return nil, err
	}
	count(c.method, outcomeRan)
	return resp, herr
}

// runOutside answers c from its recorded outcome, or runs handler with no
// transaction of its own and records the outcome once it returned (RunOutside).
func (k *Keys) runOutside(ctx context.Context, c call, handler func(ctx context.Context) (any, error)) (any, error) {
	id := c.id()
	if _, running := k.inFlight.LoadOrStore(id, struct{}{}); running {
		count(c.method, outcomeInFlight)
		return nil, ErrKeyInUse.After(k.retryAfter)
	}
	defer k.inFlight.Delete(id)
	if prior, ok := k.recorder.find(c); ok {
		return k.answer(ctx, c, prior)
	}
	prior, err := c.recorded(ctx, k.calls)
	switch {
	case err != nil:
		return nil, unavailable(ctx, "look up", err)
	case prior != nil:
		return k.answer(ctx, c, prior)
	}
	return k.runRecorded(withCall(ctx, c), c, handler, func(_ context.Context, out outcome) error {
		out.fingerprint = c.fingerprint
		k.recorder.add(c, out)
		return nil
	})
}

// answer replays a recorded outcome, or refuses a key reused for another request.
func (k *Keys) answer(ctx context.Context, c call, prior *outcome) (any, error) {
	if !bytes.Equal(prior.fingerprint, c.fingerprint) {
		count(c.method, outcomeReused)
		return nil, ErrKeyReused
	}
	count(c.method, outcomeReplayed)
	return prior.replay(ctx)
}

func unavailable(ctx context.Context, step string, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return fmt.Errorf("idempotency: %s: %w: %w", step, ErrUnavailable, err)
}

var errInFlight = errors.New("idempotency: key in flight")

// claim takes the key for this transaction, or reports errInFlight when
// another transaction holds it. It returns the outcome recorded for the key,
// if one is, which the caller replays.
//
// The lock is an advisory transaction lock on a hash of the key: it ends with
// the transaction, however that ends (commit, rollback, a crashed process's
// connection closing), so a key is never left stuck in flight. Two keys whose
// hashes collide merely wait for each other (one answers 409 once).
func (c call) claim(ctx context.Context, tx pgx.Tx) (*outcome, error) {
	var locked bool
	const lock = `SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0))`
	if err := tx.QueryRow(ctx, lock, "idempotency "+c.id()).Scan(&locked); err != nil {
		return nil, err
	}
	if !locked {
		return nil, errInFlight
	}
	return c.recorded(ctx, tx)
}

// recorded returns the outcome recorded for c's key, or nil.
func (c call) recorded(ctx context.Context, db postgres.DB) (*outcome, error) {
	const q = `SELECT fingerprint, code, response, response_type, header FROM idempotency_keys
		WHERE scope = $1 AND method = $2 AND key = $3 AND expires_at > now()`
	var o outcome
	var code int32
	var header []byte
	err := db.QueryRow(ctx, q, c.scope, c.method, c.key).Scan(&o.fingerprint, &code, &o.body, &o.typ, &header)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	o.code = codes.Code(code)
	if err := json.Unmarshal(header, &o.header); err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	return &o, nil
}

// outcome is what a call answered: a response message and the headers its
// handler set, or an error status.
type outcome struct {
	fingerprint []byte
	code        codes.Code
	body        []byte // the response message, or a google.rpc.Status
	typ         string // the response message's full name; "" for an error
	header      metadata.MD
}

// outcomeOf returns the outcome to record, or false when the call failed in a
// way a retry may not repeat (unavailable, deadline, internal): then nothing is
// recorded, the transaction rolls back and the key is free again. An error
// means a successful response cannot be recorded, so the call must fail.
func outcomeOf(resp any, err error, header metadata.MD) (outcome, bool, error) {
	if header == nil {
		header = metadata.MD{}
	}
	if err == nil {
		msg, ok := resp.(proto.Message)
		if !ok {
			return outcome{}, false, fmt.Errorf("response %T is not a proto message", resp)
		}
		body, err := proto.MarshalOptions{Deterministic: true}.Marshal(msg)
		if err != nil {
			return outcome{}, false, fmt.Errorf("marshal response: %w", err)
		}
		return outcome{code: codes.OK, body: body, typ: string(msg.ProtoReflect().Descriptor().FullName()), header: header}, true, nil
	}
	st, public := errs.ToStatus(err)
	if !public || !final(st.Code()) {
		return outcome{}, false, nil
	}
	body, merr := proto.Marshal(st.Proto())
	if merr != nil {
		return outcome{}, false, fmt.Errorf("marshal status: %w", merr)
	}
	return outcome{code: st.Code(), body: body, header: header}, true, nil
}

// final reports whether a failure is the request's answer, rather than an
// accident of the moment that a retry should not inherit.
func final(c codes.Code) bool {
	switch c {
	case codes.InvalidArgument, codes.NotFound, codes.AlreadyExists, codes.PermissionDenied,
		codes.FailedPrecondition, codes.OutOfRange, codes.Unauthenticated, codes.Unimplemented:
		return true
	}
	return false
}

func (o outcome) save(ctx context.Context, tx postgres.DB, c call, ttl time.Duration) error {
	return writeOutcomes(ctx, tx, []record{{c, o}}, ttl)
}

// replay answers with the recorded outcome.
func (o outcome) replay(ctx context.Context) (any, error) {
	_ = grpc.SetHeader(ctx, metadata.Join(o.header, metadata.Pairs(ReplayedHeader, "true")))
	if o.code != codes.OK {
		var st spb.Status
		if err := proto.Unmarshal(o.body, &st); err != nil {
			return nil, fmt.Errorf("idempotency: recorded status: %w", err)
		}
		return nil, status.ErrorProto(&st)
	}
	mt, err := protoregistry.GlobalTypes.FindMessageByName(protoreflect.FullName(o.typ))
	if err != nil {
		return nil, fmt.Errorf("idempotency: recorded response: %w", err)
	}
	msg := mt.New().Interface()
	if err := proto.Unmarshal(o.body, msg); err != nil {
		return nil, fmt.Errorf("idempotency: recorded response: %w", err)
	}
	return msg, nil
}

// headerRecorder keeps the response metadata a handler sets (SetHTTPCode's
// x-http-code among it) while passing it on, so a replay can set it again.
type headerRecorder struct {
	next   grpc.ServerTransportStream // nil outside a real server
	method string
	mu     sync.Mutex
	md     metadata.MD
}

func recordHeaders(ctx context.Context) *headerRecorder {
	r := &headerRecorder{next: grpc.ServerTransportStreamFromContext(ctx)}
	if r.next != nil {
		r.method = r.next.Method()
	}
	return r
}

func (r *headerRecorder) recorded() metadata.MD {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.md.Copy()
}

func (r *headerRecorder) keep(md metadata.MD) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.md = metadata.Join(r.md, md)
}

func (r *headerRecorder) Method() string { return r.method }

func (r *headerRecorder) SetHeader(md metadata.MD) error {
	r.keep(md)
	if r.next == nil {
		return nil
	}
	return r.next.SetHeader(md)
}

func (r *headerRecorder) SendHeader(md metadata.MD) error {
	r.keep(md)
	if r.next == nil {
		return nil
	}
	return r.next.SendHeader(md)
}

func (r *headerRecorder) SetTrailer(md metadata.MD) error {
	if r.next == nil {
		return nil
	}
	return r.next.SetTrailer(md)
}
