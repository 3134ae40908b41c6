package grpcserver

import (
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
	"google.golang.org/grpc/codes"
)

var (
	metricsOnce sync.Once
	handled     *prometheus.CounterVec
	latency     *prometheus.HistogramVec
)

type metrics struct{ service string }

// metricsFor returns the RPC metrics of one service. The collectors are shared
// so several services in one process (jangteo dev) register them once.
func metricsFor(service string) *metrics {
	metricsOnce.Do(func() {
		handled = promauto.NewCounterVec(prometheus.CounterOpts{
			Name: "jangteo_grpc_server_handled_total",
			Help: "RPCs completed, by service, method and status code.",
		}, []string{"service", "method", "code"})
		latency = promauto.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "jangteo_grpc_server_handling_seconds",
			Help:    "RPC latency, by service and method.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16),
		}, []string{"service", "method"})
	})
	return &metrics{service: service}
}

func (m *metrics) observe(fullMethod string, code codes.Code, elapsed time.Duration) {
	method := fullMethod[strings.LastIndexByte(fullMethod, '/')+1:]
	handled.WithLabelValues(m.service, method, code.String()).Inc()
	latency.WithLabelValues(m.service, method).Observe(elapsed.Seconds())
}
