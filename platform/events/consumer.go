package events

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"
	"google.golang.org/protobuf/proto"

	"github.com/jangteo/jangteo/platform/logging"
)

// Delivery is one event handed to a Handler.
type Delivery struct {
	ID        string // the event id (Nats-Msg-Id)
	Subject   string
	Type      string // the payload's protobuf full name
	Data      []byte
	Attempt   int // 1 on first delivery
	RequestID string
}

// Decode unmarshals the payload into m.
func (d Delivery) Decode(m proto.Message) error {
	if err := proto.Unmarshal(d.Data, m); err != nil {
		return fmt.Errorf("events: decode %s %s: %w", d.Subject, d.ID, err)
	}
	return nil
}

// Handler applies one event inside tx. The inbox row for the event is written
// in the same tx, so the effect happens once however often the event arrives.
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
	// MaxAttempts before a message goes to deadletter.<Name>; default 5.
	MaxAttempts int
	// AckWait is how long a delivery may take before it is redelivered; default 30s.
	AckWait time.Duration
	// Backoff is the delay before retrying a failed delivery; default 1s × attempt.
	Backoff time.Duration

	// skipAck, when set (tests only), drops the ack of a processed message so
	// JetStream redelivers it.
	skipAck func(Delivery) bool
}

// Consume runs h for every message of cfg's durable consumer until ctx ends.
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
	log = log.Named("consumer").With(zap.String("consumer", cfg.Name))
	stream, err := EnsureStream(ctx, js, cfg.Service)
	if err != nil {
		return err
	}
	if err := ensureDeadLetter(ctx, js); err != nil {
		return err
	}
	cons, err := stream.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{
		Durable:        cfg.Name,
		FilterSubjects: cfg.Subjects,
		AckPolicy:      jetstream.AckExplicitPolicy,
		AckWait:        cfg.AckWait,
		DeliverPolicy:  jetstream.DeliverAllPolicy,
		MaxAckPending:  256,
	})
	if err != nil {
		return fmt.Errorf("events: consumer %s: %w", cfg.Name, err)
	}
	c := &consumer{js: js, pool: pool, log: log, cfg: cfg, h: h}
	cc, err := cons.Consume(func(m jetstream.Msg) { c.handle(ctx, m) })
	if err != nil {
		return fmt.Errorf("events: consume %s: %w", cfg.Name, err)
	}
	<-ctx.Done()
	cc.Drain()
	<-cc.Closed()
	return nil
}

type consumer struct {
	js   jetstream.JetStream
	pool *pgxpool.Pool
	log  *zap.Logger
	cfg  ConsumerConfig
	h    Handler
}

func (c *consumer) handle(ctx context.Context, m jetstream.Msg) {
	d := Delivery{
		ID:        m.Headers().Get(HeaderMsgID),
		Subject:   m.Subject(),
		Type:      m.Headers().Get(HeaderType),
		Data:      m.Data(),
		Attempt:   1,
		RequestID: m.Headers().Get(HeaderRequestID),
	}
	if md, err := m.Metadata(); err == nil {
		d.Attempt = int(md.NumDelivered)
	}
	if d.RequestID != "" {
		ctx = logging.WithRequestID(ctx, d.RequestID)
	}
	log := logging.For(ctx, c.log).With(zap.String("subject", d.Subject), zap.String("event_id", d.ID), zap.Int("attempt", d.Attempt))
	if d.ID == "" {
		c.deadLetter(ctx, log, m, d, errors.New("event has no "+HeaderMsgID))
		return
	}
	err := c.apply(ctx, d)
	switch {
	case err == nil:
		if c.cfg.skipAck != nil && c.cfg.skipAck(d) {
			return
		}
		if err := m.Ack(); err != nil {
			log.Warn("ack", zap.Error(err))
		}
	case ctx.Err() != nil:
		_ = m.Nak() // shutting down: let another replica take it now
	case d.Attempt >= c.cfg.MaxAttempts:
		c.deadLetter(ctx, log, m, d, err)
	default:
		log.Warn("event handler failed; will retry", zap.Error(err))
		_ = m.NakWithDelay(c.cfg.Backoff * time.Duration(d.Attempt))
	}
}

// apply records the event in the inbox and runs the handler in one transaction;
// an event already in the inbox is skipped.
func (c *consumer) apply(ctx context.Context, d Delivery) error {
	return pgx.BeginFunc(ctx, c.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO inbox (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, c.cfg.Name, d.ID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return nil // seen before: the effect is already committed
		}
		return c.h(ctx, tx, d)
	})
}

func (c *consumer) deadLetter(ctx context.Context, log *zap.Logger, m jetstream.Msg, d Delivery, cause error) {
	log.Error("event sent to dead letter", zap.Error(cause))
	dl := &nats.Msg{Subject: "deadletter." + c.cfg.Name, Data: d.Data, Header: nats.Header{}}
	for k, v := range m.Headers() {
		dl.Header[k] = v
	}
	dl.Header.Del(HeaderMsgID) // the dead-letter stream must not dedupe it away
	dl.Header.Set("Jangteo-Original-Subject", d.Subject)
	dl.Header.Set("Jangteo-Event-Id", d.ID)
	dl.Header.Set("Jangteo-Error", cause.Error())
	if _, err := c.js.PublishMsg(ctx, dl); err != nil {
		log.Error("dead letter publish failed; will redeliver", zap.Error(err))
		_ = m.NakWithDelay(c.cfg.Backoff)
		return
	}
	_ = m.Term()
}
