package idempotency

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/jangteo/jangteo/platform/postgres"
)

// recorder writes the outcomes of calls run outside the key's transaction
// (RunOutside) many at a time, in one statement, once they were answered:
// under load a replica writes one row set per round trip instead of one
// commit per call. Until it is written an outcome is kept in memory, where a
// retry to this replica finds it. One never written — the process died
// first, or the database refused it — costs the retry a run of its handler,
// which finds its effect by the key.
type recorder struct {
	keys     *Keys
	mu       sync.Mutex
	queue    []record
	kept     map[string]outcome // by call id, until written
	flushing bool
	idle     *sync.Cond // signalled when a flush ends
}

type record struct {
	c   call
	out outcome
}

// maxRecordBatch bounds the outcomes written in one statement.
const maxRecordBatch = 500

func newRecorder(k *Keys) *recorder {
	r := &recorder{keys: k, kept: map[string]outcome{}}
	r.idle = sync.NewCond(&r.mu)
	return r
}

// add queues c's outcome to be written and keeps it until then.
func (r *recorder) add(c call, out outcome) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.queue = append(r.queue, record{c, out})
	r.kept[c.id()] = out
	if !r.flushing {
		r.flushing = true
		go r.flush()
	}
}

// find returns c's outcome while it waits to be written.
func (r *recorder) find(c call) (*outcome, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	out, ok := r.kept[c.id()]
	return &out, ok
}

func (r *recorder) flush() {
	for {
		r.mu.Lock()
		n := min(len(r.queue), maxRecordBatch)
		if n == 0 {
			r.flushing = false
			r.idle.Broadcast()
			r.mu.Unlock()
			return
		}
		batch := append([]record(nil), r.queue[:n]...)
		r.queue = append(r.queue[:0], r.queue[n:]...)
		r.mu.Unlock()
		if err := r.write(batch); err != nil {
			for _, rec := range batch {
				count(rec.c.method, outcomeUnrecorded)
			}
		}
		r.mu.Lock()
		for _, rec := range batch {
			delete(r.kept, rec.c.id())
		}
		r.mu.Unlock()
	}
}

// drain waits until every queued outcome was written or given up.
func (r *recorder) drain() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for r.flushing {
		r.idle.Wait()
	}
}

// write inserts batch in one statement.
func (r *recorder) write(batch []record) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return writeOutcomes(ctx, r.keys.calls, batch, r.keys.ttl)
}

// writeOutcomes records the outcomes of recs in one statement, to be
// replayed for ttl: the call's transaction writes one, the recorder many. A
// key written already by a call still live (run outside the key's
// transaction in another replica) keeps its row; an expired one not yet
// purged is replaced.
func writeOutcomes(ctx context.Context, db postgres.DB, recs []record, ttl time.Duration) error {
	n := len(recs)
	var (
		scopes, methods, keys, types  = make([]string, 0, n), make([]string, 0, n), make([]string, 0, n), make([]string, 0, n)
		fingerprints, bodies, headers = make([][]byte, 0, n), make([][]byte, 0, n), make([][]byte, 0, n)
		codes                         = make([]int32, 0, n)
		seen                          = make(map[string]bool, n)
	)
	for _, rec := range recs {
		if seen[rec.c.id()] {
			continue // one statement may not write a row twice
		}
		seen[rec.c.id()] = true
		header, err := json.Marshal(rec.out.header)
		if err != nil {
			return err
		}
		scopes, methods, keys = append(scopes, rec.c.scope), append(methods, rec.c.method), append(keys, rec.c.key)
		fingerprints, codes, bodies = append(fingerprints, rec.c.fingerprint), append(codes, int32(rec.out.code)), append(bodies, rec.out.body)
		types, headers = append(types, rec.out.typ), append(headers, header)
	}
	const q = `INSERT INTO idempotency_keys
		(scope, method, key, fingerprint, code, response, response_type, header, expires_at)
		SELECT scope, method, key, fingerprint, code, response, response_type, header, now() + make_interval(secs => $9)
		FROM unnest($1::text[], $2::text[], $3::text[], $4::bytea[], $5::int[], $6::bytea[], $7::text[], $8::jsonb[])
			AS r (scope, method, key, fingerprint, code, response, response_type, header)
		ON CONFLICT (scope, method, key) DO UPDATE SET
			fingerprint = excluded.fingerprint, code = excluded.code, response = excluded.response,
			response_type = excluded.response_type, header = excluded.header,
			created_at = now(), expires_at = excluded.expires_at
		WHERE idempotency_keys.expires_at <= now()`
	_, err := db.Exec(ctx, q, scopes, methods, keys, fingerprints, codes, bodies, types, headers, ttl.Seconds())
	return err
}
