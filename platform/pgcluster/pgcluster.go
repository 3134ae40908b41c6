// Package pgcluster runs a private PostgreSQL server from the machine's
// postgres binaries, for `jangteo dev` and for tests that want a server of
// their own.
//
// The cluster lives entirely under one directory:
//
//	<Dir>/data          the data directory (PGDATA)
//	<Dir>/run           the Unix socket directory, so we never touch /var/run/postgresql
//	<Dir>/postgres.log  the server's output of the current run
//	<Dir>/initdb.log    initdb's output, kept for when the first start fails
//
// The first Start runs initdb; later starts reuse the data directory and are
// ready in a fraction of a second. PostgreSQL refuses to run as root, so when
// the caller is root the server runs as the postgres system user.
package pgcluster

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"go.uber.org/zap"
)

// DefaultPort is the port used when Options.Port is zero. It is far from the
// system cluster's 5432 so both can run side by side.
const DefaultPort = 54329

// readyTimeout bounds how long Start waits for a freshly started server to
// accept connections; crash recovery after an unclean stop can take a while,
// a healthy restart takes well under a second.
const readyTimeout = 30 * time.Second

// stopTimeout bounds a fast shutdown before Stop falls back to SIGKILL.
const stopTimeout = 30 * time.Second

// Options configures Start.
type Options struct {
	// Dir is the root of everything the cluster keeps on disk, e.g.
	// <repo>/.data/postgres. Required.
	Dir string
	// Port is the TCP port on 127.0.0.1; DefaultPort when zero.
	Port int
	// Database is created when missing; "postgres" when empty.
	Database string
	// Log receives what the cluster does; nothing is logged when nil.
	Log *zap.Logger
}

// Cluster is a running PostgreSQL server started by Start.
type Cluster struct {
	dir      string
	port     int
	database string
	log      *zap.Logger
	proc     *process

	stopOnce sync.Once
	stopErr  error
}

// Start initialises the cluster on first use, starts the server, waits until
// it accepts connections and creates o.Database when it is missing.
//
// ctx bounds start-up only: the server keeps running after ctx is done, until
// Stop. The server runs in its own process group so that Ctrl-C in a terminal
// reaches only our process, which then stops the server cleanly; it is also
// asked to shut down if our process dies without calling Stop.
func Start(ctx context.Context, o Options) (*Cluster, error) {
	if o.Dir == "" {
		return nil, errors.New("pgcluster: Options.Dir is required")
	}
	dir, err := filepath.Abs(o.Dir)
	if err != nil {
		return nil, fmt.Errorf("pgcluster: %w", err)
	}
	if o.Port == 0 {
		o.Port = DefaultPort
	}
	if o.Port < 0 || o.Port > 65535 {
		return nil, fmt.Errorf("pgcluster: invalid port %d", o.Port)
	}
	if o.Database == "" {
		o.Database = "postgres"
	}
	log := o.Log
	if log == nil {
		log = zap.NewNop()
	}
	log = log.With(zap.String("dir", dir), zap.Int("port", o.Port))

	bin, err := ensureBinaries(ctx, log)
	if err != nil {
		return nil, err
	}
	acct, err := currentAccount()
	if err != nil {
		return nil, err
	}
	if err := prepareDir(dir, acct); err != nil {
		return nil, err
	}

	data := filepath.Join(dir, "data")
	// Our own server left running is reported before the port check, which
	// would otherwise blame "another server".
	if err := clearStaleLock(log, data); err != nil {
		return nil, err
	}
	if err := checkPortFree(o.Port); err != nil {
		return nil, err
	}
	if err := initIfNeeded(ctx, log, bin, acct, dir, data); err != nil {
		return nil, err
	}

	c := &Cluster{dir: dir, port: o.Port, database: o.Database, log: log}
	began := time.Now()
	c.proc, err = startPostgres(bin, acct, dir, data, o.Port, log)
	if err != nil {
		return nil, err
	}
	if err := c.waitReady(ctx); err != nil {
		_ = c.Stop()
		return nil, err
	}
	if err := c.ensureDatabase(ctx); err != nil {
		_ = c.Stop()
		return nil, err
	}
	log.Info("postgres ready", zap.String("url", c.URL()), zap.Duration("took", time.Since(began)))
	return c, nil
}

// URL is the connection string of the cluster's database. The cluster trusts
// every local connection, so it carries no password.
func (c *Cluster) URL() string {
	return c.urlFor(c.database)
}

func (c *Cluster) urlFor(database string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.User("postgres"),
		Host:     net.JoinHostPort("127.0.0.1", strconv.Itoa(c.port)),
		Path:     "/" + database,
		RawQuery: "sslmode=disable",
	}
	return u.String()
}

// Stop shuts the server down with a fast shutdown (open transactions are
// rolled back, data already committed is kept) and waits for it to exit,
// killing it after a timeout. Calling Stop again returns the first result.
func (c *Cluster) Stop() error {
	c.stopOnce.Do(func() {
		c.stopErr = c.proc.stop(stopTimeout)
		if c.stopErr != nil {
			c.stopErr = fmt.Errorf("pgcluster: stop: %w%s", c.stopErr, logTail(c.dir))
			return
		}
		c.log.Info("postgres stopped")
	})
	return c.stopErr
}

// Reset removes everything the cluster keeps under dir (for
// `jangteo dev --reset`), so the next Start runs initdb afresh. It refuses to
// remove the files of a server that is still running.
func Reset(dir string) error {
	data := filepath.Join(dir, "data")
	if pid, alive := lockHolder(data); alive {
		return fmt.Errorf("pgcluster: postgres (pid %d) is still running on %s; stop it first", pid, dir)
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("pgcluster: reset: %w", err)
	}
	return nil
}

// waitReady polls until the server accepts connections, the process exits,
// readyTimeout passes or ctx is done. Polling with a real connection (rather
// than waiting for the socket) is what tells us start-up and any crash
// recovery have finished.
func (c *Cluster) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	backoff := 10 * time.Millisecond
	for {
		attempt, cancelAttempt := context.WithTimeout(ctx, 2*time.Second)
		conn, err := pgx.Connect(attempt, c.urlFor("postgres"))
		cancelAttempt()
		if err == nil {
			_ = conn.Close(ctx)
			return nil
		}
		select {
		case <-c.proc.exited:
			return fmt.Errorf("pgcluster: postgres exited during start-up: %v%s", c.proc.waitErr, logTail(c.dir))
		case <-ctx.Done():
			return fmt.Errorf("pgcluster: postgres did not accept connections: %w (last error: %v)%s", ctx.Err(), err, logTail(c.dir))
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 200*time.Millisecond)
	}
}

// ensureDatabase creates the requested database unless it exists. A
// concurrent creator is not an error: either way the database is there.
func (c *Cluster) ensureDatabase(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, c.urlFor("postgres"))
	if err != nil {
		return fmt.Errorf("pgcluster: connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))

	var exists bool
	const q = `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`
	if err := conn.QueryRow(ctx, q, c.database).Scan(&exists); err != nil {
		return fmt.Errorf("pgcluster: look up database %q: %w", c.database, err)
	}
	if exists {
		return nil
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{c.database}.Sanitize())
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P04" { // duplicate_database
		return nil
	}
	if err != nil {
		return fmt.Errorf("pgcluster: create database %q: %w", c.database, err)
	}
	c.log.Info("created database", zap.String("database", c.database))
	return nil
}

// checkPortFree fails early, with a message that names the port, when another
// server already listens there; otherwise postgres would exit with a bind
// error buried in its log.
func checkPortFree(port int) error {
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("pgcluster: port %d on 127.0.0.1 is already in use by another server; choose another port or stop that server", port)
		}
		return fmt.Errorf("pgcluster: check port %d: %w", port, err)
	}
	return l.Close()
}

// logTail returns the end of the server log, formatted to be appended to an
// error, because the reason postgres refused to start is only written there.
func logTail(dir string) string {
	b, err := os.ReadFile(filepath.Join(dir, "postgres.log"))
	if err != nil || len(b) == 0 {
		return ""
	}
	const max = 2048
	if len(b) > max {
		b = b[len(b)-max:]
	}
	return "\n--- " + filepath.Join(dir, "postgres.log") + " ---\n" + string(b)
}

// run executes a helper command (initdb) as acct, writing its output to
// logPath so a failure can be diagnosed after the fact.
func run(ctx context.Context, acct *account, dir, logPath, name string, args ...string) error {
	f, err := os.Create(logPath)
	if err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	defer f.Close()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = acct.env()
	cmd.Stdout = f
	cmd.Stderr = f
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: acct.credential()}
	if err := cmd.Run(); err != nil {
		b, _ := os.ReadFile(logPath)
		return fmt.Errorf("pgcluster: %s: %w\n%s", filepath.Base(name), err, b)
	}
	return nil
}
