package events

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Headers a dead letter carries besides the event's own.
const (
	headerOriginalSubject = "Jangteo-Original-Subject"
	headerError           = "Jangteo-Error"
	headerDeadLettered    = "Jangteo-Dead-Lettered"
)

// DeadLetter is an event a consumer gave up on.
type DeadLetter struct {
	Seq      uint64 // its sequence in the dead-letter stream
	Consumer string
	EventID  string
	Subject  string // where the event was published
	Error    string // why the consumer gave up
	Time     time.Time
	Data     []byte
}

// DeadLetters lists the dead letters of consumer, or of every consumer when
// consumer is empty, oldest first.
func DeadLetters(ctx context.Context, js jetstream.JetStream, consumer string) ([]DeadLetter, error) {
	stream, err := js.Stream(ctx, DeadLetterStream)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("events: dead letters: %w", err)
	}
	filter := "deadletter.>"
	if consumer != "" {
		filter = "deadletter." + consumer
	}
	var out []DeadLetter
	for seq := uint64(1); ; {
		msg, err := stream.GetMsg(ctx, seq, jetstream.WithGetMsgSubject(filter))
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("events: dead letters: %w", err)
		}
		out = append(out, toDeadLetter(msg))
		seq = msg.Sequence + 1
	}
}

func toDeadLetter(m *jetstream.RawStreamMsg) DeadLetter {
	d := DeadLetter{
		Seq:      m.Sequence,
		Consumer: strings.TrimPrefix(m.Subject, "deadletter."),
		EventID:  m.Header.Get(HeaderEventID),
		Subject:  m.Header.Get(headerOriginalSubject),
		Error:    m.Header.Get(headerError),
		Time:     m.Time,
		Data:     m.Data,
	}
	return d
}

// Replay publishes consumer's dead letters again — those with the given
// event ids, or all when ids is empty — for that consumer only, and removes
// them from the dead letters. It returns how many it replayed. A replayed
// event is applied once even if it had been applied (the inbox remembers),
// and is not held back for its aggregate's order.
func Replay(ctx context.Context, js jetstream.JetStream, consumer string, ids ...string) (int, error) {
	if consumer == "" {
		return 0, errors.New("events: replay: which consumer?")
	}
	letters, err := DeadLetters(ctx, js, consumer)
	if err != nil {
		return 0, err
	}
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	stream, err := js.Stream(ctx, DeadLetterStream)
	if err != nil {
		return 0, fmt.Errorf("events: replay: %w", err)
	}
	n := 0
	for _, dl := range letters {
		if len(want) > 0 && !want[dl.EventID] {
			continue
		}
		raw, err := stream.GetMsg(ctx, dl.Seq)
		if err != nil {
			return n, fmt.Errorf("events: replay %s: %w", dl.EventID, err)
		}
		msg := &nats.Msg{Subject: dl.Subject, Data: raw.Data, Header: nats.Header{}}
		for k, v := range raw.Header {
			msg.Header[k] = v
		}
		for _, k := range []string{headerOriginalSubject, headerError, headerDeadLettered} {
			msg.Header.Del(k)
		}
		// A new message id per dead letter: the original is still in the
		// stream's dedupe window, and a replay run twice is dropped.
		msg.Header.Set(HeaderMsgID, dl.EventID+".replay."+strconv.FormatUint(dl.Seq, 10))
		msg.Header.Set(HeaderReplayFor, consumer)
		if _, err := js.PublishMsg(ctx, msg); err != nil {
			return n, fmt.Errorf("events: replay %s: %w", dl.EventID, err)
		}
		if err := stream.DeleteMsg(ctx, dl.Seq); err != nil {
			return n, fmt.Errorf("events: replay %s: remove dead letter: %w", dl.EventID, err)
		}
		n++
	}
	if len(want) > 0 && n < len(want) {
		return n, fmt.Errorf("events: replay: %d of %d ids are not dead letters of %s", len(want)-n, len(want), consumer)
	}
	return n, nil
}
