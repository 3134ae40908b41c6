// Package natsembed runs a NATS server with JetStream inside the calling
// process, for `jangteo dev` and for tests: the same server production talks
// to over the network, without a binary to install or a port to agree on.
package natsembed

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"go.uber.org/zap"
)

// readyTimeout bounds how long Start waits for the listener. Recovering a
// large JetStream store happens before that, so it is generous.
const readyTimeout = 30 * time.Second

// Options configures Start.
type Options struct {
	// Dir is where JetStream keeps its streams; a temporary directory,
	// removed by Shutdown, when empty.
	Dir string
	// Port is the client port on 127.0.0.1; a free port is chosen when zero.
	Port int
	// Log receives the server's log; nothing is logged when nil.
	Log *zap.Logger
}

// Server is a running embedded NATS server.
type Server struct {
	ns      *server.Server
	tempDir string // removed on Shutdown; empty when the caller chose Dir
	once    sync.Once
}

// Start starts the server with JetStream enabled and returns once it accepts
// client connections.
func Start(o Options) (*Server, error) {
	log := o.Log
	if log == nil {
		log = zap.NewNop()
	}
	s := &Server{}
	dir := o.Dir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "natsembed-")
		if err != nil {
			return nil, fmt.Errorf("natsembed: %w", err)
		}
		dir, s.tempDir = tmp, tmp
	}
	port := o.Port
	if port == 0 {
		port = server.RANDOM_PORT
	}

	ns, err := server.NewServer(&server.Options{
		ServerName: "jangteo-embedded",
		Host:       "127.0.0.1",
		Port:       port,
		JetStream:  true,
		StoreDir:   dir,
		// The embedding program owns signals: Ctrl-C must reach its own
		// graceful stop, which then calls Shutdown.
		NoSigs: true,
	})
	if err != nil {
		s.removeTemp()
		return nil, fmt.Errorf("natsembed: %w", err)
	}
	logger := &zapLogger{log: log.Sugar()}
	ns.SetLoggerV2(logger, false, false, false)
	s.ns = ns

	ns.Start()
	if err := waitReady(ns, logger); err != nil {
		s.Shutdown()
		return nil, fmt.Errorf("natsembed: %w", err)
	}
	if !ns.JetStreamEnabled() {
		err := logger.fatal()
		if err == nil {
			err = errors.New("JetStream is not enabled")
		}
		s.Shutdown()
		return nil, fmt.Errorf("natsembed: %w", err)
	}
	log.Info("nats ready", zap.String("url", ns.ClientURL()), zap.String("store", dir))
	return s, nil
}

// waitReady polls in short steps because a server that failed to start (port
// taken, store unusable) never becomes ready, and its Fatalf is the answer.
func waitReady(ns *server.Server, l *zapLogger) error {
	deadline := time.Now().Add(readyTimeout)
	for !ns.ReadyForConnections(50 * time.Millisecond) {
		if err := l.fatal(); err != nil {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready for connections after %s", readyTimeout)
		}
	}
	return nil
}

// ClientURL is the nats:// URL clients connect to.
func (s *Server) ClientURL() string {
	return s.ns.ClientURL()
}

// Shutdown stops the server, waits until it has stopped and removes the
// store when Start created it. Calling it again does nothing.
func (s *Server) Shutdown() {
	s.once.Do(func() {
		s.ns.Shutdown()
		s.ns.WaitForShutdown()
		s.removeTemp()
	})
}

func (s *Server) removeTemp() {
	if s.tempDir != "" {
		_ = os.RemoveAll(s.tempDir)
	}
}

// zapLogger adapts zap to the server's Logger. Notices go to debug: the
// server announces its whole configuration at start, which would bury the
// one "nats ready" line a developer needs. The server reports a failure
// to start (JetStream's store unusable, say) only through Fatalf and then
// gives up quietly, so Fatalf is remembered for Start to return instead of
// exiting the process as the server's own logger would.
type zapLogger struct {
	log *zap.SugaredLogger

	mu       sync.Mutex
	fatalErr error
}

func (l *zapLogger) Noticef(format string, v ...any) { l.log.Debugf(format, v...) }
func (l *zapLogger) Warnf(format string, v ...any)   { l.log.Warnf(format, v...) }
func (l *zapLogger) Errorf(format string, v ...any)  { l.log.Errorf(format, v...) }
func (l *zapLogger) Debugf(format string, v ...any)  { l.log.Debugf(format, v...) }
func (l *zapLogger) Tracef(format string, v ...any)  { l.log.Debugf(format, v...) }

func (l *zapLogger) Fatalf(format string, v ...any) {
	l.log.Errorf(format, v...)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.fatalErr == nil {
		l.fatalErr = fmt.Errorf(format, v...)
	}
}

func (l *zapLogger) fatal() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.fatalErr
}
