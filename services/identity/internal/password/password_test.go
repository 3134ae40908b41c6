package password

import (
	"errors"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func testHasher(t *testing.T) *Hasher {
	t.Helper()
	h, err := NewHasher(TestParams)
	if err != nil {
		t.Fatalf("NewHasher(TestParams): %v", err)
	}
	return h
}

func TestHashFormat(t *testing.T) {
	t.Parallel()
	// The production parameters must produce exactly the documented layout.
	got, err := Hash("correct horse 1")
	if err != nil {
		t.Fatalf("Hash: %v", err)
	}
	re := regexp.MustCompile(`^\$argon2id\$v=19\$m=65536,t=3,p=2\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)
	if !re.MatchString(got) {
		t.Fatalf("Hash = %q, want PHC argon2id string", got)
	}
	ok, rehash, err := Verify("correct horse 1", got)
	if err != nil || !ok || rehash {
		t.Fatalf("Verify = %v, %v, %v; want true, false, nil", ok, rehash, err)
	}
}

func TestHashUsesFreshSalt(t *testing.T) {
	t.Parallel()
	h := testHasher(t)
	a, _ := h.Hash("same password 1")
	b, _ := h.Hash("same password 1")
	if a == b {
		t.Fatal("two hashes of the same password are equal; salt is not random")
	}
}

func TestVerify(t *testing.T) {
	t.Parallel()
	h := testHasher(t)
	stored, err := h.Hash("비밀번호1234")
	if err != nil {
		t.Fatalf("Hash: %v", err)
	}
	cheaper, err := NewHasher(Params{Memory: 512, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32})
	if err != nil {
		t.Fatalf("NewHasher: %v", err)
	}
	oldHash, _ := cheaper.Hash("비밀번호1234")

	tests := []struct {
		name       string
		pw         string
		encoded    string
		wantOK     bool
		wantRehash bool
		wantErr    error
	}{
		{name: "match", pw: "비밀번호1234", encoded: stored, wantOK: true},
		{name: "wrong password", pw: "비밀번호1235", encoded: stored},
		{name: "empty password", pw: "", encoded: stored},
		// "비" spelled as decomposed jamo (U+1107 U+1175) must match the
		// precomposed syllable after normalisation.
		{name: "decomposed hangul", pw: "\u1107\u1175밀번호1234", encoded: stored, wantOK: true},
		{name: "old params ask for rehash", pw: "비밀번호1234", encoded: oldHash, wantOK: true, wantRehash: true},
		{name: "old params wrong password", pw: "nope", encoded: oldHash},
		{name: "empty hash", pw: "x", encoded: "", wantErr: ErrMalformedHash},
		{name: "bcrypt hash", pw: "x", encoded: "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", wantErr: ErrMalformedHash},
		{name: "argon2i", pw: "x", encoded: strings.Replace(stored, "argon2id", "argon2i", 1), wantErr: ErrMalformedHash},
		{name: "version 16", pw: "x", encoded: strings.Replace(stored, "v=19", "v=16", 1), wantErr: ErrIncompatibleVersion},
		{name: "bad params", pw: "x", encoded: "$argon2id$v=19$m=abc,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA", wantErr: ErrMalformedHash},
		{name: "unknown param", pw: "x", encoded: "$argon2id$v=19$m=1024,t=1,p=1,x=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA", wantErr: ErrMalformedHash},
		{name: "huge memory refused", pw: "x", encoded: "$argon2id$v=19$m=4294967295,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA", wantErr: ErrMalformedHash},
		{name: "zero iterations", pw: "x", encoded: "$argon2id$v=19$m=1024,t=0,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA", wantErr: ErrMalformedHash},
		{name: "bad salt encoding", pw: "x", encoded: "$argon2id$v=19$m=1024,t=1,p=1$!!!$aGFzaGhhc2hoYXNoaGFzaA", wantErr: ErrMalformedHash},
		{name: "short key", pw: "x", encoded: "$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaA", wantErr: ErrMalformedHash},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ok, rehash, err := h.Verify(tt.pw, tt.encoded)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if ok != tt.wantOK || rehash != tt.wantRehash {
				t.Fatalf("Verify = %v, %v; want %v, %v", ok, rehash, tt.wantOK, tt.wantRehash)
			}
		})
	}
}

func TestNewHasherRejectsBadParams(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		p    Params
	}{
		{"zero", Params{}},
		{"no iterations", Params{Memory: 1024, Parallelism: 1, SaltLength: 16, KeyLength: 32}},
		{"too little memory per lane", Params{Memory: 8, Iterations: 1, Parallelism: 2, SaltLength: 16, KeyLength: 32}},
		{"short salt", Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 4, KeyLength: 32}},
		{"short key", Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 8}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := NewHasher(tt.p); err == nil {
				t.Fatalf("NewHasher(%+v) = nil error, want one", tt.p)
			}
		})
	}
	for _, p := range []Params{DefaultParams, TestParams} {
		if _, err := NewHasher(p); err != nil {
			t.Errorf("NewHasher(%+v): %v", p, err)
		}
	}
}

// A budget of one hash lets one run at a time; a caller that cannot get room
// within the queue timeout gets ErrBusy (a 503 with Retry-After), never an
// unbounded pile of 64 MiB allocations.
func TestBudgetBoundsConcurrentHashes(t *testing.T) {
	t.Parallel()
	p := Params{Memory: 16 * 1024, Iterations: 4, Parallelism: 1, SaltLength: 16, KeyLength: 32}
	h, err := NewHasher(p, Budget{MemoryKiB: 16 * 1024, QueueTimeout: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if h.Concurrent() != 1 {
		t.Fatalf("Concurrent = %d, want 1", h.Concurrent())
	}
	const n = 8
	var wg sync.WaitGroup
	var busy, ok atomic.Int32
	for range n {
		wg.Go(func() {
			_, err := h.Hash("correct-horse-7")
			switch {
			case errors.Is(err, ErrBusy):
				busy.Add(1)
			case err == nil:
				ok.Add(1)
			default:
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if ok.Load() == 0 || busy.Load() == 0 || ok.Load()+busy.Load() != n {
		t.Fatalf("ok = %d, busy = %d; want some of each", ok.Load(), busy.Load())
	}
	// With a queue timeout long enough, everyone is served in turn.
	h, _ = NewHasher(p, Budget{MemoryKiB: 32 * 1024, QueueTimeout: time.Minute})
	for range n {
		wg.Go(func() {
			if _, err := h.Hash("correct-horse-7"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}

// A decoy has the Hasher's parameters, costs nothing to make and matches no
// password; verifying against it runs argon2 like a real hash.
func TestDecoy(t *testing.T) {
	t.Parallel()
	h := testHasher(t)
	d, err := h.Decoy()
	if err != nil {
		t.Fatal(err)
	}
	p, _, _, err := decode(d)
	if err != nil || p != h.Params() {
		t.Fatalf("decoy %q: params %+v, %v; want %+v", d, p, err, h.Params())
	}
	for _, pw := range []string{"", "not-a-real-password-0", "correct horse 1"} {
		if ok, _, err := h.Verify(pw, d); ok || err != nil {
			t.Fatalf("Verify(%q, decoy) = %v, %v; want false, nil", pw, ok, err)
		}
	}
	if e, _ := h.Decoy(); e == d {
		t.Fatal("two decoys are equal")
	}
}

// With ReleaseIdle, the memory a hash used goes back to the operating system
// once hashing has been idle that long.
func TestReleaseIdleReturnsHashMemory(t *testing.T) {
	p := Params{Memory: 32 * 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}
	h, err := NewHasher(p, Budget{MemoryKiB: 32 * 1024, QueueTimeout: time.Second, ReleaseIdle: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	if _, err := h.Hash("release me 1"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		var now runtime.MemStats
		runtime.ReadMemStats(&now)
		if now.HeapReleased >= before.HeapReleased+16<<20 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("heap released %d → %d bytes; want the hash's 32 MiB back", before.HeapReleased, now.HeapReleased)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
