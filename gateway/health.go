package gateway

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"google.golang.org/grpc"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// readiness answers /readyz: 200 when every backend's gRPC health check says
// SERVING, 503 naming the ones that do not.
type readiness struct {
	names   []string
	clients []healthpb.HealthClient
}

func (rd *readiness) add(name string, conn *grpc.ClientConn) {
	rd.names = append(rd.names, name)
	rd.clients = append(rd.clients, healthpb.NewHealthClient(conn))
}

func (rd *readiness) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
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
				state = resp.GetStatus().String()
			}
			mu.Lock()
			states[rd.names[i]] = state
			mu.Unlock()
		})
	}
	wg.Wait()
	code := http.StatusOK
	for _, s := range states {
		if s != "serving" {
			code = http.StatusServiceUnavailable
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]any{"ready": code == http.StatusOK, "services": states})
}
