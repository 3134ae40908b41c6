package events

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/zap"
)

// RelayOptions tune a Relay; the zero value is the production setting.
type RelayOptions struct {
	// StreamReplicas is how many copies of the stream JetStream keeps
	// (EVENTS_STREAM_REPLICAS: 1 in development, 3 in a cluster).
	StreamReplicas int
	// Batch is how many rows one read takes and publishes; up to
	// pipelineDepth (4) batches wait for their acks at once; default 1000.
	Batch int
	// Fallback is how often the relay looks for events when no notification
	// woke it; default 5s.
	Fallback time.Duration
	// Lease is how long a relay owns a partition without renewing it; a
	// crashed relay's partitions move to the others after it; default 5s.
	Lease time.Duration
	// AckWait bounds the wait for JetStream's acks of one batch; default 3s,
	// under Lease, so a relay waiting out a NATS failover keeps its partitions.
	AckWait time.Duration
}

// Relay publishes a service's outbox to JetStream.
//
// The outbox is split into Partitions by aggregate id. Every relay replica
// heartbeats and leases a fair share of the partitions, so each partition
// has one publisher at a time and no rows are locked while publishing. A
// relay publishes a batch of its partitions' unsent rows in outbox order
// without waiting between messages (PublishMsgAsync), then waits for the
// acks and marks the acked rows sent. A committed outbox insert notifies
// the relays (pg_notify), so an event goes out at once; a slow tick covers a
// lost notification. Should a failure or a lease handover still reorder an
// aggregate's events in the stream, each carries its aggregate sequence and
// consumers put them back in order.
type Relay struct {
	pool    *pgxpool.Pool
	js      jetstream.JetStream
	pub     jetstream.JetStream // js's connection, publishing up to a full pipeline
	service string
	log     *zap.Logger
	opts    RelayOptions
	id      string

	mu        sync.Mutex
	owned     []int16
	short     bool // owned fewer than its share at the last claim
	nudged    bool // another relay has given partitions up since the last claim
	wanted    bool // a relay short of its share has asked since the last claim
	leaseDue  time.Time
	down      bool
	downSince time.Time

	observing atomic.Bool // observeLag is running
}

// NewRelay returns a relay for service's outbox in pool.
func NewRelay(pool *pgxpool.Pool, js jetstream.JetStream, service string, log *zap.Logger, opts RelayOptions) *Relay {
	if opts.Batch <= 0 {
		opts.Batch = 1000
	}
	if opts.Fallback <= 0 {
		opts.Fallback = 5 * time.Second
	}
	if opts.Lease <= 0 {
		opts.Lease = 5 * time.Second
	}
	if opts.AckWait <= 0 {
		opts.AckWait = 3 * time.Second
	}
	r := &Relay{
		pool: pool, js: js, pub: js, service: service, log: log.Named("relay"), opts: opts,
		id: uuid.NewString(),
	}
	// Its own publishing context, whose limit of unacknowledged publishes
	// fits the pipeline, so a full pipeline never stalls a publish.
	if pub, err := jetstream.New(js.Conn(), jetstream.WithPublishAsyncMaxPending(pipelineDepth*opts.Batch)); err == nil {
		r.pub = pub
	}
	return r
}

// Run publishes pending rows until ctx ends. While NATS or the database is
// unreachable it retries with backoff and logs the outage once.
func (r *Relay) Run(ctx context.Context) error {
	wake := make(chan struct{}, 1)
	go r.listen(ctx, wake)
	defer r.release(context.WithoutCancel(ctx))
	for attempt := 0; ; attempt++ {
		_, err := EnsureStreamReplicas(ctx, r.js, r.service, r.opts.StreamReplicas)
		r.report(err)
		if err == nil {
			break
		}
		if !sleep(ctx, backoff(attempt, 100*time.Millisecond, 5*time.Second)) {
			return nil
		}
	}
	tick := time.NewTicker(r.opts.Fallback)
	defer tick.Stop()
	renew := time.NewTicker(r.opts.Lease / 3)
	defer renew.Stop()
	failures := 0
	for {
		_, err := r.pump(ctx, wake)
		if ctx.Err() != nil {
			return nil
		}
		r.report(err)
		if err != nil {
			failures++
			if !sleep(ctx, backoff(failures, 50*time.Millisecond, 5*time.Second)) {
				return nil
			}
			continue
		}
		failures = 0
		select {
		case <-ctx.Done():
			return nil
		case <-wake:
		case <-tick.C:
		case <-renew.C: // a partition may have come free
		}
	}
}

// report logs an outage once when it starts and once when it ends.
func (r *Relay) report(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case err != nil && !r.down:
		r.down, r.downSince = true, time.Now()
		r.log.Warn("outbox relay cannot publish; retrying until it can", zap.String("service", r.service), zap.Error(err))
	case err == nil && r.down:
		r.down = false
		r.log.Info("outbox relay publishing again", zap.String("service", r.service), zap.Duration("after", time.Since(r.downSince).Round(time.Millisecond)))
	}
}

// pending is one outbox row on its way to JetStream.
type pending struct {
	id                                    uuid.UUID
	subject, typ, requestID               string
	payload                               []byte
	traceparent, tracestate               string
	correlationID, causationID, aggregate string
	aggregateSeq, position                int64
	aggregatePrev                         []byte
	createdAt                             time.Time
}

// Flush publishes one batch of the relay's partitions' pending rows, waits
// for JetStream's acks and returns how many it published.
func (r *Relay) Flush(ctx context.Context) (int, error) {
	owned, err := r.partitions(ctx)
	if err != nil {
		return 0, err
	}
	batch, err := r.next(ctx, owned, 0)
	if err != nil || len(batch) == 0 {
		return 0, err
	}
	return r.settle(ctx, r.send(ctx, batch))
}

// pipelineDepth is how many batches may be unsettled at once: one being
// sent, the others waiting for their acks and their marking.
const pipelineDepth = 4

// pump publishes until no pending rows are left. Reading and sending the
// next batch overlaps with waiting for the acks of the batches before and
// marking them sent, which a second goroutine does in order. Rows committed
// while batches are still unsettled (a wake) are read and sent at once,
// past the positions in flight, rather than after the settling.
func (r *Relay) pump(ctx context.Context, wake <-chan struct{}) (int, error) {
	flights := make(chan *flight, pipelineDepth-2) // and one being settled
	var total int
	var settleErr error
	var failed atomic.Bool
	var unsettled atomic.Int32
	settled := make(chan struct{}, 1) // the last unsettled batch was settled
	done := make(chan struct{})
	go func() {
		defer close(done)
		for f := range flights {
			n, err := r.settle(ctx, f)
			total += n
			if err != nil {
				failed.Store(true)
				settleErr = errors.Join(settleErr, err)
			}
			if unsettled.Add(-1) == 0 {
				notify(settled)
			}
		}
	}()
	var err error
	var after int64
	var before []int16 // the partitions of the last read
read:
	for !failed.Load() {
		var owned []int16
		var batch []pending
		if owned, err = r.partitions(ctx); err != nil {
			break
		}
		if before != nil && !slices.Equal(owned, before) {
			// A partition taken over may hold rows below after: once what
			// is in flight is settled, read from the start again.
			for unsettled.Load() > 0 {
				select {
				case <-ctx.Done():
					break read
				case <-settled:
				}
			}
			after = 0
		}
		before = owned
		if batch, err = r.next(ctx, owned, after); err != nil {
			break
		}
		if len(batch) > 0 {
			f := r.send(ctx, batch)
			after = batch[len(batch)-1].position
			unsettled.Add(1)
			flights <- f // waits while pipelineDepth batches are unsettled
			if f.err != nil {
				break
			}
			if len(batch) == r.opts.Batch {
				continue
			}
		}
		// Caught up: stop once everything sent is settled, unless new rows
		// are committed first.
		for unsettled.Load() > 0 {
			select {
			case <-ctx.Done():
				break read
			case <-wake:
				continue read
			case <-settled:
			}
		}
		break
	}
	close(flights)
	<-done
	return total, errors.Join(err, settleErr)
}

// next reads up to a batch of the owned partitions' unsent rows past
// position after, in outbox order.
func (r *Relay) next(ctx context.Context, owned []int16, after int64) ([]pending, error) {
	if len(owned) == 0 {
		return nil, nil
	}
	const q = `SELECT id, position, subject, type, payload, request_id, traceparent, tracestate, correlation_id, causation_id,
			aggregate_id, aggregate_seq, aggregate_prev, created_at
		FROM outbox WHERE published_at IS NULL AND partition = ANY($1) AND position > $2 ORDER BY position LIMIT $3`
	rows, err := r.pool.Query(ctx, q, owned, after, r.opts.Batch)
	if err != nil {
		return nil, fmt.Errorf("events: relay %s: %w", r.service, err)
	}
	batch, err := pgx.CollectRows(rows, func(rw pgx.CollectableRow) (pending, error) {
		var p pending
		err := rw.Scan(&p.id, &p.position, &p.subject, &p.typ, &p.payload, &p.requestID, &p.traceparent, &p.tracestate,
			&p.correlationID, &p.causationID, &p.aggregate, &p.aggregateSeq, &p.aggregatePrev, &p.createdAt)
		return p, err
	})
	if err != nil {
		return nil, fmt.Errorf("events: relay %s: %w", r.service, err)
	}
	return batch, nil
}

// flight is a batch sent to JetStream whose acks are awaited.
type flight struct {
	ids   []uuid.UUID
	pos   []int64 // the rows' outbox positions
	acks  []jetstream.PubAckFuture
	spans []trace.Span
	err   error // a publish that failed before it was sent
}

// send publishes batch without waiting between messages (stopping at the
// first message that cannot be sent).
func (r *Relay) send(ctx context.Context, batch []pending) *flight {
	f := &flight{ids: make([]uuid.UUID, 0, len(batch)), pos: make([]int64, 0, len(batch)),
		acks: make([]jetstream.PubAckFuture, 0, len(batch)), spans: make([]trace.Span, 0, len(batch))}
	for _, p := range batch {
		msg, span := r.message(ctx, p)
		ack, err := r.pub.PublishMsgAsync(msg)
		if err != nil {
			span.SetStatus(codes.Error, err.Error())
			span.End()
			f.err = fmt.Errorf("publish %s %s: %w", p.subject, p.id, err)
			break
		}
		f.ids, f.pos, f.acks, f.spans = append(f.ids, p.id), append(f.pos, p.position), append(f.acks, ack), append(f.spans, span)
	}
	return f
}

// settle waits for f's acks, marks the acked rows sent and returns how many
// there were, with the first failure.
func (r *Relay) settle(ctx context.Context, f *flight) (int, error) {
	timeout := time.NewTimer(r.opts.AckWait)
	defer timeout.Stop()
	firstErr := f.err
	sent := make([]int64, 0, len(f.pos))
	for i, ack := range f.acks {
		var err error
		select {
		case <-ack.Ok():
		case err = <-ack.Err():
		case <-timeout.C:
			err = errors.New("no ack in time")
			timeout.Reset(0) // the rest have had their time too
		case <-ctx.Done():
			err = ctx.Err()
		}
		if err != nil {
			f.spans[i].SetStatus(codes.Error, err.Error())
			if firstErr == nil {
				firstErr = fmt.Errorf("publish %s: %w", f.ids[i], err)
			}
		} else {
			sent = append(sent, f.pos[i])
		}
		f.spans[i].End()
	}
	if len(sent) > 0 {
		// A row published but not marked (the update fails, the relay dies)
		// is published again later, and JetStream drops the duplicate.
		// By position, which the unsent rows' index holds, and without
		// waiting for the WAL flush: a mark lost in a crash only publishes the
		// rows again. One round trip for the four statements.
		const mark = `UPDATE outbox SET published_at = now() WHERE position = ANY($1) AND published_at IS NULL`
		b := &pgx.Batch{}
		b.Queue("BEGIN")
		b.Queue("SET LOCAL synchronous_commit = off")
		b.Queue(mark, sent)
		b.Queue("COMMIT")
		if err := r.pool.SendBatch(ctx, b).Close(); err != nil {
			return 0, fmt.Errorf("events: relay %s: mark sent: %w", r.service, err)
		}
		relayed.WithLabelValues(r.service).Add(float64(len(sent)))
	}
	if firstErr != nil {
		return len(sent), fmt.Errorf("events: relay %s: %w", r.service, firstErr)
	}
	return len(sent), nil
}

// message builds the NATS message of p and starts its "send" span, a child
// of the span that enqueued it.
func (r *Relay) message(ctx context.Context, p pending) (*nats.Msg, trace.Span) {
	ctx = extractTrace(context.WithoutCancel(ctx), p.traceparent, p.tracestate)
	_, span := tracer.Start(ctx, "send "+p.subject, trace.WithSpanKind(trace.SpanKindProducer),
		trace.WithAttributes(attribute.String("messaging.system", "nats"),
			attribute.String("messaging.destination.name", p.subject),
			attribute.String("messaging.message.id", p.id.String())))
	h := make(nats.Header, 14) // every header below: no growing
	h.Set(HeaderMsgID, p.id.String())
	h.Set(HeaderEventID, p.id.String())
	h.Set(HeaderType, p.typ)
	h.Set(HeaderEnqueued, p.createdAt.UTC().Format(time.RFC3339Nano))
	set := func(k, v string) {
		if v != "" {
			h.Set(k, v)
		}
	}
	set(HeaderRequestID, p.requestID)
	set(HeaderCorrelationID, p.correlationID)
	set(HeaderCausationID, p.causationID)
	if p.aggregate != "" {
		h.Set(HeaderAggregateID, p.aggregate)
		h.Set(HeaderAggregateSeq, strconv.FormatInt(p.aggregateSeq, 10))
		h.Set(HeaderAggregatePrev, string(p.aggregatePrev))
	}
	tc := injectTrace(trace.ContextWithSpan(ctx, span))
	set(HeaderTraceparent, tc[HeaderTraceparent])
	set(HeaderTracestate, tc[HeaderTracestate])
	return &nats.Msg{Subject: p.subject, Data: p.payload, Header: h}, span
}

// partitions returns the partitions this relay owns, renewing its lease and
// taking or giving up partitions to hold a fair share when the lease is due.
func (r *Relay) partitions(ctx context.Context) ([]int16, error) {
	r.mu.Lock()
	// A relay short of its share claims again when another one has given
	// partitions up (and said so on the channel), and asks when it is still
	// short; one above its share claims again (giving up the excess) when
	// asked, so a new relay gets its share at once, not at the next renewal.
	if time.Now().Before(r.leaseDue) && !(r.short && r.nudged) && !r.wanted {
		owned := r.owned
		r.mu.Unlock()
		return owned, nil
	}
	r.nudged, r.wanted = false, false // a nudge from now on is for the next claim
	r.mu.Unlock()
	owned, short, err := r.claim(ctx)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		r.owned, r.leaseDue = nil, time.Time{} // owned no longer for sure
		return nil, err
	}
	slices.Sort(owned) // so a pump sees whether they changed
	r.owned, r.short, r.leaseDue = owned, short, time.Now().Add(r.opts.Lease/3)
	if r.observing.CompareAndSwap(false, true) {
		go r.observeLag(context.WithoutCancel(ctx))
	}
	return owned, nil
}

// observeLag exports how many events wait and for how long. It counts a
// backlog, so it runs beside the publishing, one at a time.
func (r *Relay) observeLag(ctx context.Context) {
	defer r.observing.Store(false)
	ctx, cancel := context.WithTimeout(ctx, r.opts.Lease)
	defer cancel()
	var n int64
	var age float64
	const q = `SELECT count(*), coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8
		FROM outbox WHERE published_at IS NULL`
	if err := r.pool.QueryRow(ctx, q).Scan(&n, &age); err == nil {
		outboxUnsent.WithLabelValues(r.service).Set(float64(n))
		outboxAge.WithLabelValues(r.service).Set(age)
	}
}

func (r *Relay) claim(ctx context.Context) (owned []int16, short bool, err error) {
	lease := r.opts.Lease.Milliseconds()
	err = pgx.BeginFunc(ctx, r.pool, func(tx pgx.Tx) error {
		const heartbeat = `INSERT INTO outbox_relays (relay, seen_at) VALUES ($1, now())
			ON CONFLICT (relay) DO UPDATE SET seen_at = now()`
		if _, err := tx.Exec(ctx, heartbeat, r.id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM outbox_relays WHERE seen_at < now() - 10 * $1 * interval '1 ms'`, lease); err != nil {
			return err
		}
		var live int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM outbox_relays WHERE seen_at > now() - $1 * interval '1 ms'`, lease).Scan(&live); err != nil {
			return err
		}
		share := (Partitions + live - 1) / max(live, 1)
		// Keep (renew) what this relay owns, then take free partitions, up
		// to its share; rows another relay is claiming are skipped.
		const take = `UPDATE outbox_partitions SET owner = $1, lease_until = now() + $2 * interval '1 ms'
			WHERE partition IN (
				SELECT partition FROM outbox_partitions
				WHERE owner = $1 OR lease_until < now()
				ORDER BY owner = $1 DESC, partition LIMIT $3
				FOR UPDATE SKIP LOCKED)
			RETURNING partition`
		rows, err := tx.Query(ctx, take, r.id, lease, share)
		if err != nil {
			return err
		}
		if owned, err = pgx.CollectRows(rows, pgx.RowTo[int16]); err != nil {
			return err
		}
		short = len(owned) < share
		const giveUp = `UPDATE outbox_partitions SET owner = '', lease_until = '-infinity'
			WHERE owner = $1 AND NOT (partition = ANY($2))`
		tag, err := tx.Exec(ctx, giveUp, r.id, owned)
		switch {
		case err != nil:
			return err
		case tag.RowsAffected() > 0:
			_, err = tx.Exec(ctx, `SELECT pg_notify('outbox_' || current_schema(), $1)`, partitionsFreed)
		case short && len(owned) < Partitions:
			_, err = tx.Exec(ctx, `SELECT pg_notify('outbox_' || current_schema(), $1)`, partitionsWanted)
		}
		return err
	})
	return owned, short, err
}

// release gives this relay's partitions to the others at once on shutdown.
func (r *Relay) release(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	_, _ = r.pool.Exec(ctx, `UPDATE outbox_partitions SET owner = '', lease_until = '-infinity' WHERE owner = $1`, r.id)
	_, _ = r.pool.Exec(ctx, `DELETE FROM outbox_relays WHERE relay = $1`, r.id)
}

// listen wakes the relay whenever a transaction that inserted outbox rows
// commits. It holds its own connection, outside the pool.
func (r *Relay) listen(ctx context.Context, wake chan<- struct{}) {
	for attempt := 0; ctx.Err() == nil; attempt++ {
		err := r.listenOnce(ctx, wake)
		if ctx.Err() != nil {
			return
		}
		r.log.Debug("outbox listener reconnecting", zap.Error(err))
		if !sleep(ctx, backoff(attempt, 100*time.Millisecond, 5*time.Second)) {
			return
		}
	}
}

func (r *Relay) listenOnce(ctx context.Context, wake chan<- struct{}) error {
	conn, err := pgx.ConnectConfig(ctx, r.pool.Config().ConnConfig.Copy())
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var schema string
	if err := conn.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{"outbox_" + schema}.Sanitize()); err != nil {
		return err
	}
	notify(wake) // rows may have come while no one listened
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		switch n.Payload {
		case partitionsFreed:
			r.mu.Lock()
			r.nudged = true
			r.mu.Unlock()
		case partitionsWanted:
			r.mu.Lock()
			r.wanted = !r.short // only a relay above its share has any to give
			r.mu.Unlock()
		}
		notify(wake)
	}
}

// partitionsFreed is the notification a relay sends when it gives
// partitions up; a committed outbox insert sends an empty one.
const partitionsFreed = "partitions"

// partitionsWanted is the notification a relay short of its share sends.
const partitionsWanted = "wanted"

func notify(wake chan<- struct{}) {
	select {
	case wake <- struct{}{}:
	default:
	}
}

// backoff is the capped exponential delay before retry number attempt (0-based).
func backoff(attempt int, first, limit time.Duration) time.Duration {
	d := first
	for i := 0; i < attempt && d < limit; i++ {
		d *= 2
	}
	return min(d, limit)
}

// sleep waits d or until ctx ends, reporting whether it waited the whole time.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
