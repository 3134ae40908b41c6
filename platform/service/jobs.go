package service

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
	"go.uber.org/zap"
	"go.uber.org/zap/exp/zapslog"

	"github.com/jangteo/jangteo/platform/postgres"
)

// Jobs are river (github.com/riverqueue/river) running on the service's own
// schema: a job is a row in river_job, inserted in the caller's transaction
// with rt.Jobs.InsertTx, so it exists only if that transaction commits, and
// worked by exactly one replica. Scheduled jobs (InsertOpts.ScheduledAt) are
// the timers of the system; periodic jobs are its singletons.

// jobWorkers is how many jobs one replica works at once.
const jobWorkers = 10

// jobStopTimeout is how long Run waits for running jobs before cancelling
// them; a cancelled job is retried by another replica.
const jobStopTimeout = 10 * time.Second

// migrateJobs creates or upgrades river's tables in schema (each version in
// its own transaction, as some add enum values). Replicas starting together
// take turns on an advisory lock.
func migrateJobs(ctx context.Context, pool *pgxpool.Pool, schema string) error {
	m, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{
		Schema: schema,
		Logger: slog.New(slog.DiscardHandler), // failures are returned
	})
	if err != nil {
		return fmt.Errorf("migrate %s: jobs: %w", schema, err)
	}
	lock, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("migrate %s: jobs: %w", schema, err)
	}
	defer lock.Release()
	key := "migrate-jobs:" + schema
	if _, err := lock.Exec(ctx, "SELECT pg_advisory_lock(hashtext($1))", key); err != nil {
		return fmt.Errorf("migrate %s: jobs: lock: %w", schema, err)
	}
	defer lock.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(hashtext($1))", key) //nolint:errcheck // released with the session anyway
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("migrate %s: jobs: %w", schema, err)
	}
	return nil
}

// pendingJobs returns the job tables' versions the schema lacks, as "river/N".
func pendingJobs(ctx context.Context, pool *pgxpool.Pool, schema string) ([]string, error) {
	m, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{
		Schema: schema,
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	existing, err := m.ExistingVersions(ctx)
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	have := map[int]bool{}
	for _, v := range existing {
		have[v.Version] = true
	}
	var missing []string
	for _, v := range m.AllVersions() {
		if !have[v.Version] {
			missing = append(missing, "river/"+strconv.Itoa(v.Version))
		}
	}
	return missing, nil
}

// newJobs builds the river client of a service; workers are added to w until
// Run starts it.
func newJobs(pool *pgxpool.Pool, schema string, log *zap.Logger, w *river.Workers) (*river.Client[pgx.Tx], error) {
	c, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
		Logger:  slog.New(zapslog.NewHandler(log.Named("jobs").Core(), zapslog.WithName(log.Name()+".jobs"))),
		Queues:  map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: jobWorkers}},
		Schema:  schema,
		Workers: w,
	})
	if err != nil {
		return nil, fmt.Errorf("%s: jobs: %w", schema, err)
	}
	return c, nil
}

// AddWorker registers the worker of one kind of job (T's Kind). Call it before
// Run; a job can be inserted only once its worker is registered.
func AddWorker[T river.JobArgs](rt *Runtime, w river.Worker[T]) {
	river.AddWorker(rt.workers, w)
}

// Work registers fn as the worker of T's kind of job, for jobs that need no
// worker settings of their own (timeouts, snoozing): most timers.
func Work[T river.JobArgs](rt *Runtime, fn func(ctx context.Context, args T) error) {
	AddWorker(rt, river.WorkFunc(func(ctx context.Context, j *river.Job[T]) error { return fn(ctx, j.Args) }))
}

// ScheduleAt inserts args to run at at inside tx, so the timer exists only
// if the change that needs it commits.
func ScheduleAt(ctx context.Context, jobs *river.Client[pgx.Tx], tx pgx.Tx, args river.JobArgs, at time.Time) error {
	if _, err := jobs.InsertTx(ctx, tx, args, &river.InsertOpts{ScheduledAt: at}); err != nil {
		return fmt.Errorf("schedule %s at %s: %w", args.Kind(), at.Format(time.RFC3339), err)
	}
	return nil
}

// Deadline is a job to run at a time.
type Deadline struct {
	Args river.JobArgs
	At   time.Time
}

// ScheduleAll inserts deadlines in tx in one statement (COPY): ScheduleAt
// for many jobs at once.
func ScheduleAll(ctx context.Context, jobs *river.Client[pgx.Tx], tx pgx.Tx, ds []Deadline) error {
	if len(ds) == 0 {
		return nil
	}
	params := make([]river.InsertManyParams, len(ds))
	for i, d := range ds {
		params[i] = river.InsertManyParams{Args: d.Args, InsertOpts: &river.InsertOpts{ScheduledAt: d.At}}
	}
	if _, err := jobs.InsertManyFastTx(ctx, tx, params); err != nil {
		return fmt.Errorf("schedule %d jobs: %w", len(ds), err)
	}
	return nil
}

// Periodic inserts args every interval, from one replica (river's elected
// leader), and never while the previous one is still waiting or running, so
// at most one runs at a time across all replicas. The first one runs at
// start. Register args' worker with AddWorker too.
func (rt *Runtime) Periodic(every time.Duration, args river.JobArgs) {
	singleton := &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByState: []rivertype.JobState{
		rivertype.JobStateAvailable,
		rivertype.JobStatePending,
		rivertype.JobStateRetryable,
		rivertype.JobStateRunning,
		rivertype.JobStateScheduled,
	}}}
	rt.Jobs.PeriodicJobs().Add(river.NewPeriodicJob(
		river.PeriodicInterval(every),
		func() (river.JobArgs, *river.InsertOpts) { return args, singleton },
		&river.PeriodicJobOpts{ID: args.Kind(), RunOnStart: true},
	))
}

// runJobs works jobs until ctx ends, then stops gracefully: running jobs get
// jobStopTimeout to finish before their contexts are cancelled.
func (rt *Runtime) runJobs(ctx context.Context) error {
	// The database may be away when the client starts (a blip, a restart):
	// wait for it rather than stop the whole service.
	for wait := time.Second; ; wait = min(2*wait, 10*time.Second) {
		err := rt.Jobs.Start(context.WithoutCancel(ctx))
		if err == nil {
			break
		}
		if !postgres.Unavailable(err) && !postgres.ConnectionLost(err) {
			return fmt.Errorf("jobs: start: %w", err)
		}
		rt.Log.Warn("jobs: database unavailable, retrying start", zap.Duration("in", wait), zap.Error(err))
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
	}
	<-ctx.Done()
	stop, cancel := context.WithTimeout(context.WithoutCancel(ctx), jobStopTimeout)
	defer cancel()
	if err := rt.Jobs.Stop(stop); err != nil {
		hard, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
		defer cancel()
		if err := rt.Jobs.StopAndCancel(hard); err != nil {
			return fmt.Errorf("jobs: stop: %w", err)
		}
	}
	return nil
}
