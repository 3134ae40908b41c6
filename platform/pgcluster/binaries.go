package pgcluster

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"go.uber.org/zap"
)

// binaries locates the server programs of one PostgreSQL installation.
type binaries struct{ dir string }

func (b binaries) initdb() string   { return filepath.Join(b.dir, "initdb") }
func (b binaries) postgres() string { return filepath.Join(b.dir, "postgres") }

// ensureBinaries finds the server binaries and, when there are none and we
// are root, installs Debian's postgresql package. `jangteo dev` is meant to
// work on a fresh machine with nothing but Go on it.
func ensureBinaries(ctx context.Context, log *zap.Logger) (binaries, error) {
	if b, ok := findBinaries(); ok {
		return b, nil
	}
	if os.Geteuid() != 0 {
		return binaries{}, errors.New("pgcluster: PostgreSQL server binaries (initdb, postgres) not found; " +
			"install them (apt-get install postgresql) or point DATABASE_URL at a running server")
	}
	if err := aptInstallPostgres(ctx, log); err != nil {
		return binaries{}, err
	}
	if b, ok := findBinaries(); ok {
		return b, nil
	}
	return binaries{}, errors.New("pgcluster: apt-get installed postgresql but initdb/postgres are still not found under /usr/lib/postgresql")
}

// findBinaries asks pg_config first, since it names the installation the
// user chose, then falls back to the newest Debian layout. pg_config can come
// from libpq-dev without a server, so the directory must really hold one.
func findBinaries() (binaries, bool) {
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		if b := (binaries{dir: strings.TrimSpace(string(out))}); b.complete() {
			return b, true
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return majorOf(dirs[i]) > majorOf(dirs[j]) })
	for _, d := range dirs {
		if b := (binaries{dir: d}); b.complete() {
			return b, true
		}
	}
	return binaries{}, false
}

func (b binaries) complete() bool {
	for _, p := range []string{b.initdb(), b.postgres()} {
		if fi, err := os.Stat(p); err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
			return false
		}
	}
	return true
}

// majorOf reads the version from /usr/lib/postgresql/<version>/bin; it parses
// as a float so that "9.6" sorts below "15".
func majorOf(binDir string) float64 {
	v, err := strconv.ParseFloat(filepath.Base(filepath.Dir(binDir)), 64)
	if err != nil {
		return -1
	}
	return v
}

// aptInstallPostgres installs the server non-interactively. apt-get's output
// goes to the debug log line by line, so a long install is visible without
// flooding the normal log.
func aptInstallPostgres(ctx context.Context, log *zap.Logger) error {
	log.Info("PostgreSQL binaries not found; installing them with apt-get (this takes a minute)")
	for _, args := range [][]string{
		{"update"},
		{"install", "-y", "postgresql"},
	} {
		log.Info("running", zap.String("cmd", "apt-get "+strings.Join(args, " ")))
		cmd := exec.CommandContext(ctx, "apt-get", args...)
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		out, err := cmd.StdoutPipe()
		if err != nil {
			return fmt.Errorf("pgcluster: apt-get: %w", err)
		}
		cmd.Stderr = cmd.Stdout
		if err := cmd.Start(); err != nil {
			return fmt.Errorf("pgcluster: apt-get %s: %w", args[0], err)
		}
		tail := logLines(out, log)
		if err := cmd.Wait(); err != nil {
			return fmt.Errorf("pgcluster: apt-get %s: %w\n%s", strings.Join(args, " "), err, strings.Join(tail, "\n"))
		}
	}
	log.Info("installed PostgreSQL with apt-get")
	return nil
}

// logLines copies r to the debug log and returns the last lines, which say
// why a failed command failed.
func logLines(r io.Reader, log *zap.Logger) []string {
	const keep = 20
	var tail []string
	s := bufio.NewScanner(r)
	for s.Scan() {
		line := s.Text()
		log.Debug("apt-get", zap.String("line", line))
		tail = append(tail, line)
		if len(tail) > keep {
			tail = tail[1:]
		}
	}
	return tail
}
