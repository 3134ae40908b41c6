package pgcluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"go.uber.org/zap"
)

// maxSocketPath is the room in sockaddr_un.sun_path (108 bytes with its
// terminating NUL); postgres cannot create a socket with a longer path.
const maxSocketPath = 107

// initIfNeeded runs initdb unless data already holds a cluster. initdb writes
// into a scratch directory that is renamed into place only on success, so an
// interrupted first run never leaves a half-made data directory behind that
// later runs would mistake for a real one.
func initIfNeeded(ctx context.Context, log *zap.Logger, bin binaries, a *account, dir, data string) error {
	if _, err := os.Stat(filepath.Join(data, "PG_VERSION")); err == nil {
		return nil
	}
	if err := os.Remove(data); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("pgcluster: %s exists but is not a PostgreSQL data directory; remove it (jangteo dev --reset): %w", data, err)
	}

	began := time.Now()
	scratch := filepath.Join(dir, "data.init")
	if err := os.RemoveAll(scratch); err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	logPath := filepath.Join(dir, "initdb.log")
	initdb := func(locale string) error {
		// --no-sync because the server runs with fsync=off anyway: this is a
		// throwaway development cluster, and syncing is most of initdb's time.
		return run(ctx, a, dir, logPath, bin.initdb(),
			"-D", scratch, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale="+locale, "--no-sync")
	}
	log.Info("initialising PostgreSQL data directory", zap.String("initdb", bin.initdb()))
	err := initdb("C.UTF-8")
	if err != nil && strings.Contains(err.Error(), "locale") {
		// Older C libraries have no built-in C.UTF-8; plain C sorts the same
		// way and still stores UTF-8, which is all we need.
		log.Info("locale C.UTF-8 unavailable; using C")
		_ = os.RemoveAll(scratch)
		err = initdb("C")
	}
	if err != nil {
		_ = os.RemoveAll(scratch)
		return err
	}
	if err := os.Rename(scratch, data); err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	log.Info("initialised PostgreSQL data directory", zap.Duration("took", time.Since(began)))
	return nil
}

// clearStaleLock removes a postmaster.pid left by a server that died without
// cleaning up. postgres would often do this itself, but not when the PID has
// been reused by another process, and a live server deserves a clearer error
// than postgres gives.
func clearStaleLock(log *zap.Logger, data string) error {
	pidFile := filepath.Join(data, "postmaster.pid")
	if _, err := os.Stat(pidFile); err != nil {
		return nil
	}
	if pid, alive := lockHolder(data); alive {
		return fmt.Errorf("pgcluster: a postgres server (pid %d) is already running on %s, "+
			"perhaps another `jangteo dev`; stop it (kill -INT %d) and try again", pid, data, pid)
	}
	if err := os.Remove(pidFile); err != nil {
		return fmt.Errorf("pgcluster: remove stale %s: %w", pidFile, err)
	}
	log.Warn("removed stale postmaster.pid left by a server that did not stop cleanly")
	return nil
}

// lockHolder reads the PID in data/postmaster.pid and whether a postgres
// process with that PID is alive.
func lockHolder(data string) (int, bool) {
	b, err := os.ReadFile(filepath.Join(data, "postmaster.pid"))
	if err != nil {
		return 0, false
	}
	first, _, _ := strings.Cut(string(b), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(first))
	if err != nil || pid <= 0 {
		return 0, false
	}
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return pid, false
	}
	// A PID from before a reboot may now belong to something else, and a
	// server that exited after we died stays a zombie where PID 1 does not
	// reap (containers): neither holds the data directory.
	if stat, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat")); err == nil {
		// "pid (comm) state ...": comm may itself contain ") ".
		end := bytes.LastIndex(stat, []byte(") "))
		if end < 0 || !bytes.Contains(stat[:end], []byte("(postgres")) || bytes.HasPrefix(stat[end+2:], []byte("Z")) {
			return pid, false
		}
	}
	return pid, true
}

// process is the running postmaster.
type process struct {
	cmd     *exec.Cmd
	exited  chan struct{} // closed once cmd.Wait has returned
	waitErr error         // cmd.Wait's result, valid after exited is closed
}

// startPostgres starts the postmaster with its output in dir/postgres.log.
func startPostgres(bin binaries, a *account, dir, data string, port int, log *zap.Logger) (*process, error) {
	sockDir := filepath.Join(dir, "run")
	if len(sockDir)+len("/.s.PGSQL.")+len(strconv.Itoa(port)) > maxSocketPath {
		// TCP is all we use; the socket is a convenience for psql -h <dir>/run.
		log.Warn("data directory path too long for a Unix socket; listening on TCP only")
		sockDir = ""
	}
	logFile, err := os.Create(filepath.Join(dir, "postgres.log"))
	if err != nil {
		return nil, fmt.Errorf("pgcluster: %w", err)
	}

	cmd := exec.Command(bin.postgres(),
		"-D", data,
		"-p", strconv.Itoa(port),
		"-k", sockDir,
		"-c", "listen_addresses=127.0.0.1",
		// Durability is not worth the wait for development and test data.
		"-c", "fsync=off",
		// Six services' pools, their keyed-call pools and job clients
		// outgrow the default 100 under load.
		"-c", "max_connections=300",
	)
	cmd.Dir = dir
	cmd.Env = a.env()
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Credential: a.credential(),
		// Its own process group keeps the terminal's Ctrl-C away from the
		// server, so it is still up while we shut the services down and
		// then stop it ourselves.
		Setpgid: true,
		// If we die without calling Stop, SIGINT asks for a fast shutdown
		// instead of leaving an orphan holding the port and the data dir.
		Pdeathsig: syscall.SIGINT,
	}

	p := &process{cmd: cmd, exited: make(chan struct{})}
	started := make(chan error, 1)
	go func() {
		// Pdeathsig fires when the thread that forked the child exits, not
		// the process (go.dev/issue/27505). Holding this goroutine on its
		// thread until the server has exited makes it mean "when we die".
		// The thread is discarded when the goroutine returns still locked.
		runtime.LockOSThread()
		defer logFile.Close()
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		p.waitErr = cmd.Wait()
		close(p.exited)
	}()
	if err := <-started; err != nil {
		return nil, fmt.Errorf("pgcluster: start postgres: %w", err)
	}
	log.Debug("postgres started", zap.Int("pid", cmd.Process.Pid))
	return p, nil
}

// stop asks for a fast shutdown and waits; after timeout it kills the whole
// process group, since the backends of a killed postmaster would linger.
func (p *process) stop(timeout time.Duration) error {
	select {
	case <-p.exited:
		if p.waitErr != nil {
			return fmt.Errorf("postgres had already exited: %w", p.waitErr)
		}
		return nil
	default:
	}
	if err := p.cmd.Process.Signal(syscall.SIGINT); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("signal postgres: %w", err)
	}
	select {
	case <-p.exited:
		return p.waitErr
	case <-time.After(timeout):
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.exited
		return fmt.Errorf("postgres did not shut down within %s and was killed", timeout)
	}
}
