package gateway

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// readiness answers /readyz. Ready means "this gateway can serve": it is up
// and not draining. A backend that is down does not make it unready — every
// gateway replica would leave the load balancer at once, taking the healthy
// services' routes with them — and its routes answer 503 meanwhile.
// /readyz?verbose adds each backend's gRPC health, for people and dashboards.
type readiness struct {
	names    []string
	clients  []healthpb.HealthClient
	draining atomic.Bool
}

func (rd *readiness) add(name string, conn *grpc.ClientConn) {
	rd.names = append(rd.names, name)
	rd.clients = append(rd.clients, healthpb.NewHealthClient(conn))
}

func (rd *readiness) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	code := http.StatusOK
	if rd.draining.Load() {
		code = http.StatusServiceUnavailable
	}
	body := map[string]any{"ready": code == http.StatusOK}
	if r.URL.Query().Has("verbose") {
		body["services"] = rd.backends(r.Context())
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(body)
}

// backends asks every backend's health service, in parallel, within 2 s.
func (rd *readiness) backends(ctx context.Context) map[string]string {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	states := make(map[string]string, len(rd.names))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i, c := range rd.clients {
		wg.Go(func() {
			state := "serving"
			resp, err := c.Check(ctx, &healthpb.HealthCheckRequest{})
			if err != nil {
				state = "unreachable"
			} else if resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
				state = "not_serving"
			}
			mu.Lock()
			states[rd.names[i]] = state
			mu.Unlock()
		})
	}
	wg.Wait()
	return states
}
