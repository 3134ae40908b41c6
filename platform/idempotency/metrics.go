package idempotency

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// Outcomes counted by jangteo_idempotency_calls_total.
const (
	outcomeRan      = "ran"       // the call ran and its outcome was recorded
	outcomeReleased = "released"  // the call ran and failed transiently: nothing kept
	outcomeReplayed = "replayed"  // the recorded outcome was returned
	outcomeInFlight = "in_flight" // 409: the first call still runs
	outcomeReused   = "reused"    // 422: the key came with another request
	// unrecorded: a call run outside the key's transaction whose outcome
	// could not be written (its retry runs the handler, which finds its effect)
	outcomeUnrecorded = "unrecorded"
)

// calls is shared by every service in the process (jangteo dev), told apart
// by the full method.
var calls = promauto.NewCounterVec(prometheus.CounterOpts{
	Name: "jangteo_idempotency_calls_total",
	Help: "Calls that carried an idempotency key, by full method and outcome (ran, released, replayed, in_flight, reused, unrecorded).",
}, []string{"method", "outcome"})

func count(method, outcome string) { calls.WithLabelValues(method, outcome).Inc() }
