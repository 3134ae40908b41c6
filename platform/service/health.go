package service

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"go.uber.org/zap"
)

// healthInterval is how often a service checks its database and NATS.
const healthInterval = 2 * time.Second

// watchHealth keeps the gRPC health status true to the service's
// dependencies: NOT_SERVING while PostgreSQL does not answer a ping or NATS
// is disconnected, SERVING again when both are back. Kubernetes' readiness
// probe reads it, so traffic moves to replicas that can serve.
//
// The ping runs on a connection of its own, not the pool's: under load every
// pooled connection is busy, and waiting for one is not an outage.
func (rt *Runtime) watchHealth(ctx context.Context) error {
	var conn *pgx.Conn
	defer func() {
		if conn != nil {
			_ = conn.Close(context.WithoutCancel(ctx))
		}
	}()
	serving := true
	t := time.NewTicker(healthInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		why := ""
		if rt.NATS != nil && !rt.NATS.IsConnected() {
			why = "nats disconnected"
		} else if err := rt.pingDatabase(ctx, &conn); err != nil && ctx.Err() == nil {
			why = "database: " + err.Error()
		}
		if ok := why == ""; ok != serving {
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

// pingDatabase pings PostgreSQL on *conn, connecting it first when needed;
// a failed connection is dropped so the next check connects afresh.
func (rt *Runtime) pingDatabase(ctx context.Context, conn **pgx.Conn) error {
	ctx, cancel := context.WithTimeout(ctx, healthInterval)
	defer cancel()
	if *conn == nil {
		c, err := pgx.ConnectConfig(ctx, rt.Pool.Config().ConnConfig.Copy())
		if err != nil {
			return err
		}
		*conn = c
	}
	if err := (*conn).Ping(ctx); err != nil {
		_ = (*conn).Close(context.WithoutCancel(ctx))
		*conn = nil
		return err
	}
	return nil
}
