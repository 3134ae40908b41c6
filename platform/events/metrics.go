package events

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// The event path's Prometheus metrics. Several services in one process
// (jangteo dev) share them, told apart by label.
var (
	relayed = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "jangteo_outbox_published_total",
		Help: "Outbox events published to JetStream, by service.",
	}, []string{"service"})
	outboxUnsent = promauto.NewGaugeVec(prometheus.GaugeOpts{
		Name: "jangteo_outbox_unsent_events",
		Help: "Committed outbox events not yet published, by service.",
	}, []string{"service"})
	outboxAge = promauto.NewGaugeVec(prometheus.GaugeOpts{
		Name: "jangteo_outbox_oldest_unsent_age_seconds",
		Help: "Age of the oldest unpublished outbox event (0 when none wait), by service.",
	}, []string{"service"})
	consumed = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "jangteo_consumer_events_total",
		Help: "Deliveries handled by consumers, by consumer and result (applied, duplicate, retry, out_of_order, dead_letter, skipped).",
	}, []string{"consumer", "result"})
	consumerPending = promauto.NewGaugeVec(prometheus.GaugeOpts{
		Name: "jangteo_consumer_pending_messages",
		Help: "Messages in the stream not yet delivered to the durable consumer (consumer lag).",
	}, []string{"consumer"})
	consumerAckPending = promauto.NewGaugeVec(prometheus.GaugeOpts{
		Name: "jangteo_consumer_ack_pending_messages",
		Help: "Messages delivered to the consumer and not yet acknowledged.",
	}, []string{"consumer"})
	deadLettered = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "jangteo_consumer_dead_letters_total",
		Help: "Events sent to deadletter.<consumer>, by consumer.",
	}, []string{"consumer"})
)
