package pgcluster

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.uber.org/zap/zaptest"
)

// helperEnv makes the test binary act as a `jangteo dev` that dies without
// stopping its cluster; see TestServerStopsWhenOwnerDies.
const helperEnv = "PGCLUSTER_TEST_HELPER_DIR"

func TestMain(m *testing.M) {
	if dir := os.Getenv(helperEnv); dir != "" {
		port, _ := strconv.Atoi(os.Getenv("PGCLUSTER_TEST_HELPER_PORT"))
		if _, err := Start(context.Background(), Options{Dir: dir, Port: port}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		fmt.Println("ready")
		select {} // Killed by the test, never stops the cluster.
	}
	os.Exit(m.Run())
}

func TestStartStopRestartKeepsData(t *testing.T) {
	t.Parallel()
	skipWithoutPostgres(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	// Like <repo>/.data/postgres: Start creates the missing parent, and it
	// must be reachable by the postgres user when we are root.
	dir := filepath.Join(reachableTempDir(t), ".data", "postgres")
	port := freePort(t)
	opts := Options{Dir: dir, Port: port, Database: "jangteo", Log: zaptest.NewLogger(t)}

	began := time.Now()
	c, err := Start(ctx, opts)
	if err != nil {
		t.Fatalf("first Start: %v", err)
	}
	t.Logf("first start (initdb included): %s", time.Since(began))
	if got, want := c.URL(), fmt.Sprintf("postgres://postgres@127.0.0.1:%d/jangteo?sslmode=disable", port); got != want {
		t.Errorf("URL() = %q, want %q", got, want)
	}
	exec1(ctx, t, c.URL(), `CREATE TABLE kept (note text)`)
	exec1(ctx, t, c.URL(), `INSERT INTO kept VALUES ('survives a restart')`)
	if err := Reset(dir); err == nil {
		t.Error("Reset of a running cluster succeeded, want an error")
	}
	if err := c.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if err := c.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}

	// A crashed run leaves its postmaster.pid behind; a PID that is not
	// running must not stop the next start.
	writeStaleLock(t, filepath.Join(dir, "data"))

	began = time.Now()
	c, err = Start(ctx, opts)
	if err != nil {
		t.Fatalf("second Start: %v", err)
	}
	second := time.Since(began)
	t.Logf("second start: %s", second)
	// The target is well under 2 s; the bound is loose because CI runs
	// every module's tests at once on two cores.
	if second > 5*time.Second {
		t.Errorf("second start took %s, want a quick restart of an existing cluster", second)
	}
	conn, err := pgx.Connect(ctx, c.URL())
	if err != nil {
		t.Fatalf("connect after restart: %v", err)
	}
	var note string
	if err := conn.QueryRow(ctx, `SELECT note FROM kept`).Scan(&note); err != nil {
		t.Fatalf("read after restart: %v", err)
	}
	conn.Close(ctx)
	if note != "survives a restart" {
		t.Errorf("note = %q after restart", note)
	}
	if err := c.Stop(); err != nil {
		t.Fatalf("Stop after restart: %v", err)
	}

	if err := Reset(dir); err != nil {
		t.Fatalf("Reset: %v", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("after Reset, stat %s: %v, want not exist", dir, err)
	}
}

func TestStartFailsWhenPortTaken(t *testing.T) {
	t.Parallel()
	skipWithoutPostgres(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port

	_, err = Start(context.Background(), Options{Dir: filepath.Join(reachableTempDir(t), "pg"), Port: port})
	if err == nil || !strings.Contains(err.Error(), "already in use") {
		t.Fatalf("Start on a taken port: err = %v, want one saying the port is already in use", err)
	}
}

func TestStartRefusesDirUnreachableByPostgresUser(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Skip("only root drops to the postgres user")
	}
	skipWithoutPostgres(t)
	// t.TempDir's parent is created with mode 0700, owned by root.
	dir := filepath.Join(t.TempDir(), "pg")

	_, err := Start(context.Background(), Options{Dir: dir, Port: freePort(t)})
	if err == nil || !strings.Contains(err.Error(), "cannot reach") {
		t.Fatalf("Start under a 0700 root directory: err = %v, want one saying postgres cannot reach it", err)
	}
}

func TestServerStopsWhenOwnerDies(t *testing.T) {
	t.Parallel()
	skipWithoutPostgres(t)
	dir := filepath.Join(reachableTempDir(t), "pg")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+dir, "PGCLUSTER_TEST_HELPER_PORT="+strconv.Itoa(freePort(t)))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line := make([]byte, len("ready"))
	if _, err := out.Read(line); err != nil || string(line) != "ready" {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("helper did not start its cluster: %q, %v", line, err)
	}
	data := filepath.Join(dir, "data")
	pid, alive := lockHolder(data)
	if !alive {
		t.Fatal("no live postmaster after the helper started")
	}

	_ = cmd.Process.Kill() // SIGKILL: no chance to call Stop.
	_ = cmd.Wait()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, alive := lockHolder(data); !alive {
			return
		}
		if time.Now().After(deadline) {
			_ = killGroup(pid)
			t.Fatalf("postgres (pid %d) still running 30s after its owner died", pid)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func skipWithoutPostgres(t *testing.T) {
	t.Helper()
	if _, ok := findBinaries(); !ok && os.Geteuid() != 0 {
		t.Skip("no PostgreSQL server binaries, and not root to install them")
	}
}

// reachableTempDir returns a fresh directory that the postgres user can
// reach when the tests run as root: t.TempDir's parent is mode 0700.
func reachableTempDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if os.Geteuid() == 0 {
		if err := os.Chmod(filepath.Dir(dir), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// freePort asks the kernel for an unused port. Another process could take it
// before the cluster binds it, which is unlikely enough for tests.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func exec1(ctx context.Context, t *testing.T, url, sql string) {
	t.Helper()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// writeStaleLock leaves a postmaster.pid naming a process that has exited.
func writeStaleLock(t *testing.T, data string) {
	t.Helper()
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	content := fmt.Sprintf("%d\n%s\n", dead.Process.Pid, data)
	if err := os.WriteFile(filepath.Join(data, "postmaster.pid"), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func killGroup(pid int) error {
	return syscall.Kill(-pid, syscall.SIGKILL)
}
