package service

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"go.uber.org/zap"

	"github.com/jangteo/jangteo/platform/logging"
	"github.com/jangteo/jangteo/platform/tracing"
)

// Main runs a command's run function with a context that ends on SIGINT or
// SIGTERM, and exits non-zero when it fails.
func Main(name string, run func(ctx context.Context, args []string) error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	flush, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	_ = tracing.Shutdown(flush) // export the spans still buffered
	cancel()
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		os.Exit(1)
	}
}

// Runner is a started service.
type Runner interface {
	Run(ctx context.Context) error
}

// RunCommand is the body of every cmd/<svc>: `<svc> migrate` applies the
// migrations and exits; otherwise it builds the logger, starts the service
// with start and runs it until ctx ends.
func RunCommand(ctx context.Context, args []string, name string, base Base, m Migrations,
	start func(ctx context.Context, log *zap.Logger) (Runner, error)) error {
	if len(args) > 0 {
		if args[0] != "migrate" {
			return fmt.Errorf("unknown command %q (want none or \"migrate\")", args[0])
		}
		return Migrate(ctx, base.DatabaseURL, name, m)
	}
	log, err := logging.New(base.LogLevel, false)
	if err != nil {
		return err
	}
	defer log.Sync() //nolint:errcheck // stderr sync fails on some terminals
	svc, err := start(ctx, log)
	if err != nil {
		return err
	}
	return svc.Run(ctx)
}
