package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/jangteo/jangteo/platform/events"
)

const eventsUsage = `usage:
  jangteo events deadletters [--consumer NAME]   list dead letters, oldest first
  jangteo events replay CONSUMER [--id ID]...    replay a consumer's dead letters (all, or those ids)`

// eventsConfig configures `jangteo events`.
type eventsConfig struct {
	// NATSURL is the NATS server the services use (`jangteo dev` listens on 4222).
	NATSURL string `env:"NATS_URL"`
}

func defaultEventsConfig() eventsConfig {
	return eventsConfig{NATSURL: "nats://127.0.0.1:4222"}
}

// runEvents lists and replays dead letters: the events a consumer gave up on.
func runEvents(ctx context.Context, cfg eventsConfig, args []string, out io.Writer) error {
	if len(args) == 0 {
		return errors.New(eventsUsage)
	}
	nc, err := nats.Connect(cfg.NATSURL, nats.Name("jangteo-events"), nats.Timeout(5*time.Second))
	if err != nil {
		return fmt.Errorf("nats %s: %w", cfg.NATSURL, err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	switch args[0] {
	case "deadletters":
		fs := flag.NewFlagSet("deadletters", flag.ContinueOnError)
		consumer := fs.String("consumer", "", "only this consumer's dead letters")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		letters, err := events.DeadLetters(ctx, js, *consumer)
		if err != nil {
			return err
		}
		return printDeadLetters(out, letters)
	case "replay":
		if len(args) < 2 || strings.HasPrefix(args[1], "-") {
			return errors.New(eventsUsage)
		}
		fs := flag.NewFlagSet("replay", flag.ContinueOnError)
		var ids idList
		fs.Var(&ids, "id", "an event id to replay (repeatable); all of the consumer's dead letters when absent")
		if err := fs.Parse(args[2:]); err != nil {
			return err
		}
		n, err := events.Replay(ctx, js, args[1], ids...)
		fmt.Fprintf(out, "replayed %d dead letter(s) of %s\n", n, args[1])
		return err
	default:
		return errors.New(eventsUsage)
	}
}

func printDeadLetters(out io.Writer, letters []events.DeadLetter) error {
	if len(letters) == 0 {
		_, err := fmt.Fprintln(out, "no dead letters")
		return err
	}
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "CONSUMER\tEVENT ID\tSUBJECT\tDEAD SINCE\tERROR")
	for _, l := range letters {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", l.Consumer, l.EventID, l.Subject, l.Time.UTC().Format(time.RFC3339), l.Error)
	}
	return w.Flush()
}

// idList is a repeatable --id flag.
type idList []string

func (l *idList) String() string      { return strings.Join(*l, ",") }
func (l *idList) Set(id string) error { *l = append(*l, id); return nil }
