// Package testkit gives tests the real components Jangteo runs on: a fresh
// PostgreSQL database, an embedded NATS JetStream server, and a token issuer
// whose keys the services' access policy trusts.
//
// PostgreSQL is reached through TEST_DATABASE_URL (default
// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable); each call to
// Database creates a new database there and drops it when the test ends.
package testkit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/platform/natsembed"
)

// AdminURL is the server tests create their databases on.
func AdminURL() string {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// Database creates an empty database for tb and returns its URL; it is dropped
// when tb ends.
func Database(tb testing.TB) string {
	tb.Helper()
	u, drop, err := CreateDatabase(context.Background())
	if err != nil {
		tb.Fatalf("testkit: %v", err)
	}
	tb.Cleanup(drop)
	return u
}

// CreateDatabase creates an empty database and returns its URL and a function
// that drops it. TestMain uses it to share one database across a package.
func CreateDatabase(ctx context.Context) (string, func(), error) {
	admin := AdminURL()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return "", nil, fmt.Errorf("connect to %s (set TEST_DATABASE_URL): %w", admin, err)
	}
	defer conn.Close(ctx)
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "jangteo_test_" + hex.EncodeToString(b[:])
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", nil, fmt.Errorf("create database: %w", err)
	}
	u, err := url.Parse(admin)
	if err != nil {
		return "", nil, err
	}
	u.Path = "/" + name
	drop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, admin)
		if err != nil {
			return
		}
		defer conn.Close(ctx)
		_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	}
	return u.String(), drop, nil
}

// NATS starts an embedded NATS server with JetStream for tb and returns its
// client URL; it shuts down when tb ends.
func NATS(tb testing.TB) string {
	tb.Helper()
	s, err := natsembed.Start(natsembed.Options{Dir: tb.TempDir()})
	if err != nil {
		tb.Fatalf("testkit: nats: %v", err)
	}
	tb.Cleanup(s.Shutdown)
	return s.ClientURL()
}
