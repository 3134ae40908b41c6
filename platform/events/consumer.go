package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.opentelemetry.io/otel/attribute"
	otelcodes "go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/zap"
	"google.golang.org/protobuf/proto"

	"github.com/jangteo/jangteo/platform/logging"
)

// Delivery is one event handed to a Handler.
type Delivery struct {
	ID        string // the event id
	Subject   string
	Type      string // the payload's protobuf full name
	Data      []byte
	Attempt   int // 1 on first delivery
	RequestID string
	// CorrelationID is shared by every event of one saga; CausationID is
	// what caused this event (a request id or an event id).
	CorrelationID, CausationID string
	// AggregateID and AggregateSeq place the event among its entity's events;
	// empty and 0 for events enqueued without Aggregate.
	AggregateID  string
	AggregateSeq int64
	// Enqueued is when the producing transaction wrote the event.
	Enqueued time.Time
	// Replay is set when an operator replayed the event from the dead letters.
	Replay bool

	prev map[string]int64 // per subject, the aggregate's latest earlier event
}

// Decode unmarshals the payload into m. A payload that does not decode is a
// permanent failure: the event goes to the dead letters at once.
func (d Delivery) Decode(m proto.Message) error {
	if err := proto.Unmarshal(d.Data, m); err != nil {
		return Permanent(fmt.Errorf("events: decode %s %s: %w", d.Subject, d.ID, err))
	}
	return nil
}

// Handler applies one event inside tx. The inbox row for the event is written
// in the same tx, so the effect happens once however often the event arrives.
// Under load tx also carries other events of the consumer, applied before
// this one; when any of them fails the transaction rolls back and each event
// is applied again in a transaction of its own, so a handler must act only
// through tx (or idempotently), or its consumer is configured Alone.
// An error marked Permanent dead-letters the event at once; a transient one
// (see IsTransient) is retried for as long as it lasts; any other error is
// retried MaxAttempts times.
type Handler func(ctx context.Context, tx pgx.Tx, d Delivery) error

// ConsumerConfig describes a durable consumer.
type ConsumerConfig struct {
	// Name is the durable consumer's name, unique per consuming service and
	// purpose, e.g. "cart-product-changed".
	Name string
	// Service is the publishing service whose stream is read, e.g. "catalog".
	Service string
	// Subjects filter that stream, e.g. "catalog.product_changed".
	Subjects []string
	// MaxAttempts is how many times a handler may fail with an error that is
	// neither transient nor permanent before the event goes to
	// deadletter.<Name>; default 5.
	MaxAttempts int
	// AckWait is how long a delivery may take before it is redelivered; default 30s.
	AckWait time.Duration
	// Backoff is the delay before the first retry of a failed delivery; it
	// doubles with each attempt up to MaxBackoff. Defaults 1s and 1m.
	Backoff, MaxBackoff time.Duration
	// Concurrency is how many events one replica applies at once (events of
	// one aggregate always one at a time); default 8.
	Concurrency int
	// OrderWait is how long an event waits for an earlier event of its
	// aggregate that never comes (expired from the stream) before it is
	// applied anyway; default 10m.
	OrderWait time.Duration
	// StreamReplicas is used when the consumer creates the stream (EVENTS_STREAM_REPLICAS).
	StreamReplicas int
	// Alone applies every event in a transaction of its own, never batched
	// with others: for handlers whose effects reach outside the transaction
	// (a mail sent, another service called), which a failing neighbour in a
	// batch would otherwise make happen twice.
	Alone bool

	// skipAck, when set (tests only), drops the ack of a processed message so
	// JetStream redelivers it.
	skipAck func(Delivery) bool
}

// errOutOfOrder holds an event back until its predecessor is applied.
var errOutOfOrder = errors.New("an earlier event of the aggregate is not applied yet")

// Consume runs h for every message of cfg's durable consumer until ctx ends.
// It waits for NATS when NATS is unreachable at start.
func Consume(ctx context.Context, js jetstream.JetStream, pool *pgxpool.Pool, log *zap.Logger, cfg ConsumerConfig, h Handler) error {
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 5
	}
	if cfg.AckWait <= 0 {
		cfg.AckWait = 30 * time.Second
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = time.Second
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = time.Minute
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 8
	}
	if cfg.OrderWait <= 0 {
		cfg.OrderWait = 10 * time.Minute
	}
	c := &consumer{js: js, pool: pool, log: log.Named("consumer").With(zap.String("consumer", cfg.Name)), cfg: cfg, h: h}
	var cons jetstream.Consumer
	for attempt := 0; ; attempt++ {
		var err error
		if cons, err = c.setup(ctx); err == nil {
			break
		}
		if ctx.Err() != nil {
			return nil
		}
		c.outage(c.log, err)
		if !sleep(ctx, backoff(attempt, 100*time.Millisecond, 5*time.Second)) {
			return nil
		}
	}

	// The queues are never closed: a delivery callback may still be running
	// after the subscription reports it is closed. Stopping closes quit
	// instead; the workers finish what is queued (ctx is over, so it is
	// nakked for another replica) and a callback still waiting naks its message.
	queues := make([]chan jetstream.Msg, cfg.Concurrency)
	quit := make(chan struct{})
	var wg sync.WaitGroup
	for i := range queues {
		queues[i] = make(chan jetstream.Msg, 16)
		wg.Go(func() { c.work(ctx, queues[i], quit) })
	}
	cc, err := cons.Consume(func(m jetstream.Msg) {
		key := m.Headers().Get(HeaderAggregateID)
		if key == "" {
			key = m.Headers().Get(HeaderMsgID)
		}
		h := fnv.New32a()
		_, _ = h.Write([]byte(key))
		select {
		case queues[h.Sum32()%uint32(len(queues))] <- m:
		case <-quit:
			_ = m.Nak()
		}
	})
	stop := func() {
		close(quit)
		wg.Wait()
	}
	if err != nil {
		stop()
		return fmt.Errorf("events: consume %s: %w", cfg.Name, err)
	}
	go c.watchLag(ctx, cons)
	<-ctx.Done()
	cc.Drain()
	<-cc.Closed()
	stop()
	return nil
}

type consumer struct {
	js   jetstream.JetStream
	pool *pgxpool.Pool
	log  *zap.Logger
	cfg  ConsumerConfig
	h    Handler

	down      atomic.Bool
	heldSince sync.Map // event id → time first held back for its predecessor
}

func (c *consumer) setup(ctx context.Context) (jetstream.Consumer, error) {
	stream, err := EnsureStreamReplicas(ctx, c.js, c.cfg.Service, c.cfg.StreamReplicas)
	if err != nil {
		return nil, err
	}
	if _, err := ensureDeadLetter(ctx, c.js, c.cfg.StreamReplicas); err != nil {
		return nil, err
	}
	cons, err := stream.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{
		Durable:        c.cfg.Name,
		FilterSubjects: c.cfg.Subjects,
		AckPolicy:      jetstream.AckExplicitPolicy,
		AckWait:        c.cfg.AckWait,
		DeliverPolicy:  jetstream.DeliverAllPolicy,
		MaxAckPending:  1024,
	})
	if err != nil {
		return nil, fmt.Errorf("events: consumer %s: %w", c.cfg.Name, err)
	}
	return cons, nil
}

// watchLag exports the consumer's backlog every few seconds, and forgets
// held-back events that another replica has long applied.
func (c *consumer) watchLag(ctx context.Context, cons jetstream.Consumer) {
	for {
		if info, err := cons.Info(ctx); err == nil {
			consumerPending.WithLabelValues(c.cfg.Name).Set(float64(info.NumPending))
			consumerAckPending.WithLabelValues(c.cfg.Name).Set(float64(info.NumAckPending))
		}
		c.heldSince.Range(func(id, since any) bool {
			if time.Since(since.(time.Time)) > 2*c.cfg.OrderWait {
				c.heldSince.Delete(id)
			}
			return true
		})
		if !sleep(ctx, 5*time.Second) {
			return
		}
	}
}

// delivery reads an event from its message.
func delivery(m jetstream.Msg) (Delivery, error) {
	h := m.Headers()
	d := Delivery{
		ID:            h.Get(HeaderEventID),
		Subject:       m.Subject(),
		Type:          h.Get(HeaderType),
		Data:          m.Data(),
		Attempt:       1,
		RequestID:     h.Get(HeaderRequestID),
		CorrelationID: h.Get(HeaderCorrelationID),
		CausationID:   h.Get(HeaderCausationID),
		AggregateID:   h.Get(HeaderAggregateID),
		Replay:        h.Get(HeaderReplayFor) != "",
	}
	if d.ID == "" {
		d.ID = h.Get(HeaderMsgID)
	}
	if md, err := m.Metadata(); err == nil {
		d.Attempt = int(md.NumDelivered)
	}
	d.Enqueued, _ = time.Parse(time.RFC3339Nano, h.Get(HeaderEnqueued))
	if d.ID == "" {
		return d, errors.New("event has no " + HeaderEventID)
	}
	if d.AggregateID != "" {
		seq, err := strconv.ParseInt(h.Get(HeaderAggregateSeq), 10, 64)
		if err != nil || seq < 1 {
			return d, fmt.Errorf("bad %s %q", HeaderAggregateSeq, h.Get(HeaderAggregateSeq))
		}
		d.AggregateSeq = seq
		if err := json.Unmarshal([]byte(h.Get(HeaderAggregatePrev)), &d.prev); err != nil {
			return d, fmt.Errorf("bad %s: %w", HeaderAggregatePrev, err)
		}
	}
	return d, nil
}

// job is one delivery on its way through a worker.
type job struct {
	m      jetstream.Msg
	d      Delivery
	ctx    context.Context // with the event's span, correlation and request id
	log    *zap.Logger
	span   trace.Span
	result string // on success: applied or duplicate
	err    error
}

// work applies the events of one queue (those waiting together in one
// transaction, see applyBatch) until quit is closed and the queue is empty.
func (c *consumer) work(ctx context.Context, q <-chan jetstream.Msg, quit <-chan struct{}) {
	jobs := make([]*job, 0, maxBatch)
	// handle applies m and whatever else waits in q (up to maxBatch) together.
	handle := func(m jetstream.Msg) {
		jobs = jobs[:0]
		for {
			if j := c.start(ctx, m); j != nil {
				jobs = append(jobs, j)
			}
			if len(jobs) == maxBatch || c.cfg.Alone {
				break
			}
			select {
			case m = <-q:
				continue
			default:
			}
			break
		}
		c.applyBatch(ctx, jobs)
		for _, j := range jobs {
			c.finish(j)
		}
	}
	for {
		select {
		case m := <-q:
			handle(m)
		case <-quit:
			for {
				select {
				case m := <-q:
					handle(m)
				default:
					return
				}
			}
		}
	}
}

// maxBatch is how many waiting deliveries of one queue share a transaction.
const maxBatch = 32

// applyBatch applies jobs in one transaction, in order: under load one
// commit (and its WAL flush) serves many events, while an event that finds
// its queue empty goes alone, at once. Should any of them fail, or the
// commit, the transaction rolls back and each is applied alone, so only the
// failing one is retried and the others' effects commit once.
func (c *consumer) applyBatch(ctx context.Context, jobs []*job) {
	switch len(jobs) {
	case 0:
		return
	case 1:
		c.apply(jobs[0])
		return
	}
	// The inbox statements go in one round trip; PostgreSQL runs them in
	// order, so each sees the aggregate sequence the one before advanced.
	// Then the handlers run, in order.
	err := pgx.BeginFunc(ctx, c.pool, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		wants := make([]int64, len(jobs))
		for i, j := range jobs {
			wants[i] = c.want(j)
			b.Queue(inboxStatement, c.cfg.Name, j.d.ID, j.d.AggregateID, wants[i], j.d.AggregateSeq)
		}
		fresh := make([]bool, len(jobs))
		seq := make([]int64, len(jobs))
		br := tx.SendBatch(ctx, b)
		for i := range jobs {
			if err := br.QueryRow().Scan(&fresh[i], &seq[i]); err != nil {
				_ = br.Close()
				return err
			}
		}
		if err := br.Close(); err != nil {
			return err
		}
		for i, j := range jobs {
			if err := c.afterInbox(tx, j, wants[i], fresh[i], seq[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		return
	}
	for _, j := range jobs {
		j.err, j.result = nil, ""
		c.apply(j)
	}
}

// start reads m and opens its span; a message that needs no transaction
// (malformed, or another consumer's replay) is settled here and nil returned.
func (c *consumer) start(ctx context.Context, m jetstream.Msg) *job {
	d, bad := delivery(m)
	h := m.Headers()
	ctx = extractTrace(ctx, h.Get(HeaderTraceparent), h.Get(HeaderTracestate))
	ctx, span := tracer.Start(ctx, "process "+d.Subject, trace.WithSpanKind(trace.SpanKindConsumer),
		trace.WithAttributes(attribute.String("messaging.system", "nats"),
			attribute.String("messaging.destination.name", d.Subject),
			attribute.String("messaging.consumer.group.name", c.cfg.Name),
			attribute.String("messaging.message.id", d.ID),
			attribute.Int("messaging.delivery.attempt", d.Attempt)))
	ctx = WithCorrelation(ctx, d.CorrelationID, d.ID)
	if d.RequestID != "" {
		ctx = logging.WithRequestID(ctx, d.RequestID)
	}
	j := &job{m: m, d: d, ctx: ctx, span: span,
		log: logging.For(ctx, c.log).With(zap.String("subject", d.Subject), zap.String("event_id", d.ID), zap.Int("attempt", d.Attempt))}
	switch to := h.Get(HeaderReplayFor); {
	case bad != nil:
		c.deadLetter(ctx, j.log, m, d, Permanent(bad))
	case to != "" && to != c.cfg.Name:
		consumed.WithLabelValues(c.cfg.Name, "skipped").Inc()
		_ = m.Ack() // another consumer's replay
	default:
		return j
	}
	span.End()
	return nil
}

// finish acks, retries or dead-letters a job by its outcome.
func (c *consumer) finish(j *job) {
	defer j.span.End()
	m, d, log, err := j.m, j.d, j.log, j.err
	if err != nil {
		j.span.SetStatus(otelcodes.Error, err.Error())
	}
	switch {
	case err == nil:
		consumed.WithLabelValues(c.cfg.Name, j.result).Inc()
		c.heldSince.Delete(d.ID)
		c.recovered(log)
		if c.cfg.skipAck != nil && c.cfg.skipAck(d) {
			return
		}
		if err := m.Ack(); err != nil {
			log.Warn("ack", zap.Error(err))
		}
	case j.ctx.Err() != nil:
		_ = m.Nak() // shutting down: let another replica take it now
	case errors.Is(err, errOutOfOrder):
		consumed.WithLabelValues(c.cfg.Name, "out_of_order").Inc()
		_ = m.NakWithDelay(min(time.Duration(d.Attempt)*20*time.Millisecond, time.Second))
	case IsPermanent(err):
		c.heldSince.Delete(d.ID)
		c.deadLetter(j.ctx, log, m, d, err)
	case IsTransient(err):
		consumed.WithLabelValues(c.cfg.Name, "retry").Inc()
		c.outage(log, err)
		_ = m.NakWithDelay(backoff(d.Attempt-1, c.cfg.Backoff, c.cfg.MaxBackoff))
	default:
		consumed.WithLabelValues(c.cfg.Name, "retry").Inc()
		n, cerr := c.countFailure(j.ctx, d, err)
		switch {
		case cerr != nil:
			c.outage(log, cerr)
			_ = m.NakWithDelay(backoff(d.Attempt-1, c.cfg.Backoff, c.cfg.MaxBackoff))
		case n >= c.cfg.MaxAttempts:
			c.heldSince.Delete(d.ID)
			c.deadLetter(j.ctx, log, m, d, err)
		default:
			log.Warn("event handler failed; will retry", zap.Int("failures", n), zap.Error(err))
			_ = m.NakWithDelay(backoff(n-1, c.cfg.Backoff, c.cfg.MaxBackoff))
		}
	}
}

// outage logs once that the consumer cannot apply events for a transient reason.
func (c *consumer) outage(log *zap.Logger, err error) {
	if c.down.CompareAndSwap(false, true) {
		log.Warn("consumer cannot apply events; retrying until it can", zap.Error(err))
	}
}

func (c *consumer) recovered(log *zap.Logger) {
	if c.down.CompareAndSwap(true, false) {
		log.Info("consumer applying events again")
	}
}

// apply runs j in its own transaction: it records the event in the inbox
// and runs the handler, so a redelivered event is skipped; an event whose
// predecessor is not applied yet is held back (errOutOfOrder).
func (c *consumer) apply(j *job) {
	err := pgx.BeginFunc(j.ctx, c.pool, func(tx pgx.Tx) error { return c.applyOne(tx, j) })
	if err != nil {
		j.err = err
	}
}

// applyOne applies j inside tx. Held back, j.err is errOutOfOrder and the
// transaction commits having changed nothing.
//
// One statement locks the aggregate's row of this consumer (so replicas
// apply one aggregate's events one at a time), advances its sequence to the
// event's if the predecessor is applied, and only then inserts the inbox
// row; the sequence it returns says which happened.
func (c *consumer) applyOne(tx pgx.Tx, j *job) error {
	want := c.want(j)
	var fresh bool
	var seq int64
	if err := tx.QueryRow(j.ctx, inboxStatement, c.cfg.Name, j.d.ID, j.d.AggregateID, want, j.d.AggregateSeq).Scan(&fresh, &seq); err != nil {
		return err
	}
	return c.afterInbox(tx, j, want, fresh, seq)
}

// inboxStatement records an event in the inbox and advances its aggregate's
// sequence, if its predecessor ($4) is applied; it returns whether the event
// is new and the aggregate's sequence.
const inboxStatement = `WITH agg AS (
		INSERT INTO inbox_aggregates AS a (consumer, aggregate_id, seq)
		SELECT $1, $3::text, CASE WHEN $4::bigint = 0 THEN $5::bigint ELSE 0 END WHERE $3 <> ''
		ON CONFLICT (consumer, aggregate_id) DO UPDATE
		SET seq = CASE WHEN a.seq >= $4 THEN greatest(a.seq, $5) ELSE a.seq END
		RETURNING seq
	), fresh AS (
		INSERT INTO inbox (consumer, event_id)
		SELECT $1, $2 WHERE $3 = '' OR (SELECT seq FROM agg) >= $4
		ON CONFLICT DO NOTHING RETURNING event_id
	)
	SELECT EXISTS (SELECT FROM fresh), coalesce((SELECT seq FROM agg), 0)`

// want is the aggregate sequence j waits for: its predecessor's, or 0 for a
// replay or an event that has waited OrderWait.
func (c *consumer) want(j *job) int64 {
	d := j.d
	want := c.predecessor(d)
	if d.Replay {
		return 0
	}
	if first, held := c.heldSince.Load(d.ID); held && time.Since(first.(time.Time)) >= c.cfg.OrderWait {
		j.log.Warn("earlier event of the aggregate never came; applying this one anyway",
			zap.String("aggregate_id", d.AggregateID), zap.Int64("seq", d.AggregateSeq), zap.Int64("waited_for", want))
		return 0
	}
	return want
}

// afterInbox holds j back, skips it as a duplicate or runs its handler,
// by what the inbox statement answered.
func (c *consumer) afterInbox(tx pgx.Tx, j *job, want int64, fresh bool, seq int64) error {
	ctx, d, log := j.ctx, j.d, j.log
	if d.AggregateID != "" && seq < want {
		c.heldSince.LoadOrStore(d.ID, time.Now())
		j.err = errOutOfOrder
		return nil
	}
	if !fresh {
		j.result = "duplicate"
		return nil // seen before: the effect is already committed
	}
	if d.AggregateID != "" && seq > d.AggregateSeq && !d.Replay {
		log.Warn("event applied after a later one of its aggregate",
			zap.String("aggregate_id", d.AggregateID), zap.Int64("seq", d.AggregateSeq), zap.Int64("applied", seq))
	}
	if d.Attempt > 1 {
		if _, err := tx.Exec(ctx, `DELETE FROM inbox_failures WHERE consumer = $1 AND event_id = $2`, c.cfg.Name, d.ID); err != nil {
			return err
		}
	}
	j.result = "applied"
	return c.h(ctx, tx, d)
}

// predecessor is the sequence of the aggregate's latest earlier event on a
// subject this consumer reads (0 when there is none).
func (c *consumer) predecessor(d Delivery) int64 {
	var want int64
	for subject, seq := range d.prev {
		if seq > want && c.reads(subject) {
			want = seq
		}
	}
	return want
}

func (c *consumer) reads(subject string) bool {
	for _, f := range c.cfg.Subjects {
		if subjectMatches(f, subject) {
			return true
		}
	}
	return false
}

// subjectMatches reports whether a NATS subject filter (with * and >) matches subject.
func subjectMatches(filter, subject string) bool {
	ft, st := strings.Split(filter, "."), strings.Split(subject, ".")
	for i, f := range ft {
		switch {
		case f == ">":
			return len(st) > i
		case i >= len(st):
			return false
		case f != "*" && f != st[i]:
			return false
		}
	}
	return len(ft) == len(st)
}

// countFailure records one more failed attempt of d and returns how many there were.
func (c *consumer) countFailure(ctx context.Context, d Delivery, cause error) (int, error) {
	const q = `INSERT INTO inbox_failures AS f (consumer, event_id, attempts, last_error) VALUES ($1, $2, 1, $3)
		ON CONFLICT (consumer, event_id) DO UPDATE SET attempts = f.attempts + 1, last_error = $3
		RETURNING attempts`
	var n int
	err := c.pool.QueryRow(ctx, q, c.cfg.Name, d.ID, cause.Error()).Scan(&n)
	return n, err
}

// deadLetter moves a poison message to deadletter.<consumer>. The
// aggregate's later events go on without it; a replay applies it later.
func (c *consumer) deadLetter(ctx context.Context, log *zap.Logger, m jetstream.Msg, d Delivery, cause error) {
	if d.ID != "" {
		err := pgx.BeginFunc(ctx, c.pool, func(tx pgx.Tx) error {
			if d.AggregateID != "" && !d.Replay {
				const q = `INSERT INTO inbox_aggregates AS a (consumer, aggregate_id, seq) VALUES ($1, $2, $3)
					ON CONFLICT (consumer, aggregate_id) DO UPDATE SET seq = greatest(a.seq, excluded.seq)`
				if _, err := tx.Exec(ctx, q, c.cfg.Name, d.AggregateID, d.AggregateSeq); err != nil {
					return err
				}
			}
			_, err := tx.Exec(ctx, `DELETE FROM inbox_failures WHERE consumer = $1 AND event_id = $2`, c.cfg.Name, d.ID)
			return err
		})
		if err != nil {
			c.outage(log, err)
			_ = m.NakWithDelay(backoff(d.Attempt-1, c.cfg.Backoff, c.cfg.MaxBackoff))
			return
		}
	}
	dl := &nats.Msg{Subject: "deadletter." + c.cfg.Name, Data: m.Data(), Header: nats.Header{}}
	for k, v := range m.Headers() {
		dl.Header[k] = v
	}
	dl.Header.Del(HeaderMsgID) // the dead-letter stream must not dedupe it away
	dl.Header.Del(HeaderReplayFor)
	dl.Header.Set(HeaderEventID, d.ID)
	dl.Header.Set(headerOriginalSubject, m.Subject())
	dl.Header.Set(headerError, cause.Error())
	dl.Header.Set(headerDeadLettered, time.Now().UTC().Format(time.RFC3339Nano))
	if _, err := c.js.PublishMsg(ctx, dl); err != nil {
		c.outage(log, err)
		_ = m.NakWithDelay(backoff(d.Attempt-1, c.cfg.Backoff, c.cfg.MaxBackoff))
		return
	}
	log.Error("event sent to dead letter", zap.String("dead_letter", dl.Subject), zap.Error(cause))
	deadLettered.WithLabelValues(c.cfg.Name).Inc()
	consumed.WithLabelValues(c.cfg.Name, "dead_letter").Inc()
	_ = m.Term()
}
