package service

import (
	"context"
	"time"

	"go.uber.org/zap"
)

// healthInterval is how often a service checks its database and NATS.
const healthInterval = 2 * time.Second

// watchHealth keeps the gRPC health status true to the service's
// dependencies: NOT_SERVING while PostgreSQL does not answer a ping or NATS
// is disconnected, SERVING again when both are back. Kubernetes' readiness
// probe reads it, so traffic moves to replicas that can serve.
func (rt *Runtime) watchHealth(ctx context.Context) error {
	serving := true
	t := time.NewTicker(healthInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		ok, why := rt.dependenciesUp(ctx)
		if ok != serving {
			serving = ok
			rt.GRPC.SetServing(ok)
			if ok {
				rt.Log.Info("dependencies back: serving")
			} else {
				rt.Log.Warn("dependency down: not serving", zap.String("reason", why))
			}
		}
	}
}

func (rt *Runtime) dependenciesUp(ctx context.Context) (bool, string) {
	if rt.NATS != nil && !rt.NATS.IsConnected() {
		return false, "nats disconnected"
	}
	ping, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if err := rt.Pool.Ping(ping); err != nil && ctx.Err() == nil {
		return false, "database: " + err.Error()
	}
	return true, ""
}
