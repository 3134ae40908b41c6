package service_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"go.uber.org/zap"

	"github.com/jangteo/jangteo/platform/service"
	"github.com/jangteo/jangteo/platform/testkit"
)

// noteArgs is a job that records its note.
type noteArgs struct {
	Note string `json:"note"`
}

func (noteArgs) Kind() string { return "test_note" }

// notes counts how often each note ran, across replicas.
type notes struct {
	mu   sync.Mutex
	runs map[string]int
}

func (n *notes) count(note string) int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.runs[note]
}

type noteWorker struct {
	river.WorkerDefaults[noteArgs]
	notes *notes
}

func (w noteWorker) Work(_ context.Context, j *river.Job[noteArgs]) error {
	w.notes.mu.Lock()
	defer w.notes.mu.Unlock()
	w.notes.runs[j.Args.Note]++
	return nil
}

// tickArgs is a periodic job that takes a while.
type tickArgs struct{}

func (tickArgs) Kind() string { return "test_tick" }

type tickWorker struct {
	river.WorkerDefaults[tickArgs]
	running, most, runs *atomic.Int32
}

func (w tickWorker) Work(ctx context.Context, _ *river.Job[tickArgs]) error {
	now := w.running.Add(1)
	defer w.running.Add(-1)
	for {
		most := w.most.Load()
		if now <= most || w.most.CompareAndSwap(most, now) {
			break
		}
	}
	w.runs.Add(1)
	select {
	case <-time.After(400 * time.Millisecond): // longer than the period
	case <-ctx.Done():
	}
	return nil
}

var noMigrations = service.Migrations{
	FS:  fstest.MapFS{"migrations/0001_init.up.sql": {Data: []byte("CREATE TABLE things (id int PRIMARY KEY)")}},
	Dir: "migrations",
}

// replicas starts n runtimes of one service on one database and schema; each
// is set up by register before it runs.
func replicas(t *testing.T, n int, register func(rt *service.Runtime)) []*service.Runtime {
	t.Helper()
	cfg := service.Base{DatabaseURL: testkit.Database(t), NATSURL: testkit.NATS(t), MigrateOnStart: true}
	issuer := testkit.NewIssuer()
	var rts []*service.Runtime
	for range n {
		rt, err := service.Start(context.Background(), "jobtest", cfg, zap.NewNop(), noMigrations,
			service.Options{Keys: issuer.Fetch(), Listener: testkit.Listen(t)})
		if err != nil {
			t.Fatal(err)
		}
		register(rt)
		testkit.Run(t, rt)
		rts = append(rts, rt)
	}
	return rts
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestJobInRolledBackTransactionNeverRuns(t *testing.T) {
	t.Parallel()
	n := &notes{runs: map[string]int{}}
	rt := replicas(t, 1, func(rt *service.Runtime) { service.AddWorker(rt, noteWorker{notes: n}) })[0]
	ctx := context.Background()

	tx, err := rt.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rt.Jobs.InsertTx(ctx, tx, noteArgs{Note: "rolled back"}, nil); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	// A job committed afterwards runs; by then the first would have too.
	err = pgx.BeginFunc(ctx, rt.Pool, func(tx pgx.Tx) error {
		_, err := rt.Jobs.InsertTx(ctx, tx, noteArgs{Note: "committed"}, nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the committed job", func() bool { return n.count("committed") == 1 })
	time.Sleep(time.Second)
	if got := n.count("rolled back"); got != 0 {
		t.Fatalf("job of a rolled-back transaction ran %d times", got)
	}
}

func TestCommittedJobRunsOnceAcrossReplicas(t *testing.T) {
	t.Parallel()
	n := &notes{runs: map[string]int{}}
	rts := replicas(t, 2, func(rt *service.Runtime) { service.AddWorker(rt, noteWorker{notes: n}) })
	ctx := context.Background()

	keys := []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}
	err := pgx.BeginFunc(ctx, rts[0].Pool, func(tx pgx.Tx) error {
		for i, k := range keys {
			// Half now, half scheduled a moment later, from both replicas.
			opts := &river.InsertOpts{}
			if i%2 == 1 {
				opts.ScheduledAt = time.Now().Add(time.Second)
			}
			if _, err := rts[i%2].Jobs.InsertTx(ctx, tx, noteArgs{Note: k}, opts); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "every job", func() bool {
		for _, k := range keys {
			if n.count(k) == 0 {
				return false
			}
		}
		return true
	})
	time.Sleep(time.Second)
	for _, k := range keys {
		if got := n.count(k); got != 1 {
			t.Errorf("job %q ran %d times, want 1", k, got)
		}
	}
}

func TestPeriodicJobRunsOnOneReplicaAtATime(t *testing.T) {
	t.Parallel()
	var running, most, runs atomic.Int32
	replicas(t, 2, func(rt *service.Runtime) {
		service.AddWorker(rt, tickWorker{running: &running, most: &most, runs: &runs})
		rt.Periodic(100*time.Millisecond, tickArgs{})
	})
	eventually(t, "three periodic runs", func() bool { return runs.Load() >= 3 })
	if m := most.Load(); m != 1 {
		t.Fatalf("%d periodic jobs ran at once, want 1", m)
	}
}
