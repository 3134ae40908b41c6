// Command jangteo runs the whole of Jangteo in one process for development.
//
//	jangteo dev           start everything (reusing .data from the last run)
//	jangteo dev --reset   delete .data first and start clean
//	jangteo events …      list and replay dead letters (see events.go)
//
// `dev` uses DATABASE_URL when set, otherwise a private PostgreSQL cluster in
// .data/postgres; it embeds NATS JetStream and an SMTP sink, applies every
// service's migrations, seeds demo data and a dev admin account, and serves the
// REST API on :8080. Ctrl-C stops everything cleanly.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/jangteo/jangteo/platform/config"
	"github.com/jangteo/jangteo/platform/service"
)

func main() { service.Main("jangteo", run) }

func run(ctx context.Context, args []string) error {
	if len(args) > 0 && args[0] == "events" {
		cfg := defaultEventsConfig()
		if err := config.Load(&cfg, ""); err != nil {
			return err
		}
		return runEvents(ctx, cfg, args[1:], os.Stdout)
	}
	if len(args) == 0 || args[0] != "dev" {
		return errors.New("usage: jangteo dev [--reset] | jangteo events deadletters|replay …")
	}
	fs := flag.NewFlagSet("dev", flag.ContinueOnError)
	reset := fs.Bool("reset", false, "delete the data directory and start clean")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	cfg := defaultDevConfig()
	if err := config.Load(&cfg, ""); err != nil {
		return err
	}
	if cfg.DataDir == "" {
		root, err := repoRoot()
		if err != nil {
			return err
		}
		cfg.DataDir = root + "/.data"
	}
	cfg.Reset = *reset
	fmt.Fprintln(os.Stderr, "jangteo: starting (data in "+cfg.DataDir+")")
	return runDev(ctx, cfg, os.Stdout)
}
