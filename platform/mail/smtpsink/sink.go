// Package smtpsink is an in-process SMTP server that keeps what it receives
// in memory instead of delivering it.
//
// `jangteo dev` points every service's mail.Sender at a sink and serves its
// contents as the dev mailbox, so verification and reset links can be
// clicked without a real mail account; tests use Wait to pick up the mail a
// use case sent. Because it speaks real SMTP (RFC 5321) over TCP, the code
// under test is the production Sender, not a fake.
//
// It accepts every sender, recipient and credential: never expose it
// beyond localhost.
package smtpsink

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"net"
	"slices"
	"sync"
	"time"
)

// DefaultCapacity is how many messages a Sink keeps; older ones are dropped.
const DefaultCapacity = 500

// ErrClosed is returned by Wait once the Sink is closed.
var ErrClosed = errors.New("smtpsink: closed")

// Message is one received mail, decoded for reading.
type Message struct {
	// ID is the sink's id for the message, also given in the 250 reply.
	ID string `json:"id"`
	// From is the envelope sender (MAIL FROM), without angle brackets.
	From string `json:"from"`
	// To are the envelope recipients (RCPT TO), including any Bcc.
	To []string `json:"to"`
	// Subject is the decoded Subject header (RFC 2047 words decoded).
	Subject string `json:"subject"`
	// Text is the first text/plain part, transfer-decoded, with line
	// breaks as "\n" and no trailing line break.
	Text string `json:"text"`
	// HTML is the first text/html part, decoded like Text.
	HTML string `json:"html"`
	// TLS reports whether the message arrived after STARTTLS.
	TLS bool `json:"tls"`
	// ReceivedAt is when the final "." was read.
	ReceivedAt time.Time `json:"received_at"`
}

func (m Message) clone() Message {
	m.To = slices.Clone(m.To)
	return m
}

// Option configures Start.
type Option func(*Sink)

// WithCapacity keeps the last n messages instead of DefaultCapacity.
func WithCapacity(n int) Option {
	return func(s *Sink) {
		if n > 0 {
			s.capacity = n
		}
	}
}

// WithTLS makes the sink offer STARTTLS with cfg, to exercise a sender's
// TLS upgrade.
func WithTLS(cfg *tls.Config) Option {
	return func(s *Sink) { s.tlsConfig = cfg }
}

// Sink is a running SMTP server and its mailbox. Its methods are safe for
// concurrent use.
type Sink struct {
	ln        net.Listener
	hostname  string
	capacity  int
	tlsConfig *tls.Config
	wg        sync.WaitGroup

	mu     sync.Mutex
	msgs   []Message // oldest first
	closed bool
	// arrived is closed and replaced whenever a message is stored, waking
	// every Wait at once.
	arrived chan struct{}
	conns   map[net.Conn]struct{}
}

// Start listens on addr ("127.0.0.1:0" picks a free port) and serves SMTP
// until Close.
func Start(addr string, opts ...Option) (*Sink, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &Sink{
		ln:       ln,
		hostname: "localhost",
		capacity: DefaultCapacity,
		arrived:  make(chan struct{}),
		conns:    make(map[net.Conn]struct{}),
	}
	for _, o := range opts {
		o(s)
	}
	s.wg.Add(1)
	go s.acceptLoop()
	return s, nil
}

// Addr returns the listening address, "127.0.0.1:54321".
func (s *Sink) Addr() string { return s.ln.Addr().String() }

// Messages returns the stored messages, newest first.
func (s *Sink) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, 0, len(s.msgs))
	for i := len(s.msgs) - 1; i >= 0; i-- {
		out = append(out, s.msgs[i].clone())
	}
	return out
}

// Wait returns the newest stored message for which match returns true,
// waiting for one to arrive if none has yet. Messages that arrived before
// the call count, so a test may send first and wait afterwards.
func (s *Sink) Wait(ctx context.Context, match func(Message) bool) (Message, error) {
	for {
		s.mu.Lock()
		arrived, closed := s.arrived, s.closed
		s.mu.Unlock()
		// match runs without the lock, so it may call back into the Sink.
		for _, m := range s.Messages() {
			if match(m) {
				return m, nil
			}
		}
		if closed {
			return Message{}, ErrClosed
		}
		select {
		case <-arrived:
		case <-ctx.Done():
			return Message{}, ctx.Err()
		}
	}
}

// Close stops the server, drops open sessions and wakes every Wait.
// Stored messages stay readable.
func (s *Sink) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.arrived)
	err := s.ln.Close()
	for c := range s.conns {
		_ = c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	return err
}

func (s *Sink) acceptLoop() {
	defer s.wg.Done()
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// Transient (e.g. too many open files): back off briefly.
			time.Sleep(10 * time.Millisecond)
			continue
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			_ = conn.Close()
			return
		}
		s.conns[conn] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.wg.Done()
			// The session may swap in a TLS conn; the map tracks the raw one,
			// and closing it ends either.
			newSession(s, conn).serve()
			_ = conn.Close()
			s.mu.Lock()
			delete(s.conns, conn)
			s.mu.Unlock()
		}()
	}
}

// store keeps m, dropping the oldest message beyond capacity.
func (s *Sink) store(m Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	if len(s.msgs) >= s.capacity {
		n := copy(s.msgs, s.msgs[len(s.msgs)-s.capacity+1:])
		clear(s.msgs[n:])
		s.msgs = s.msgs[:n]
	}
	s.msgs = append(s.msgs, m)
	close(s.arrived)
	s.arrived = make(chan struct{})
}

// newID names a message; random so ids from separate runs never collide.
func newID() string { return rand.Text() }
