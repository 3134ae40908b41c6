// Package password hashes and verifies account passwords with argon2id and
// checks new passwords against the sign-up strength rules.
//
// Hashes are stored in the PHC string format used by the reference argon2
// implementation and by libsodium:
//
//	$argon2id$v=19$m=65536,t=3,p=2$<salt>$<hash>
//
// so the parameters travel with every hash. That lets the cost be raised
// later without invalidating stored passwords: Verify reports needsRehash
// and the caller stores a fresh hash after the next successful login.
package password

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/argon2"
	"golang.org/x/sync/semaphore"
	"golang.org/x/text/unicode/norm"

	"github.com/jangteo/jangteo/platform/errs"
)

// Params are the argon2id cost parameters and output sizes.
type Params struct {
	// Memory is the memory cost in KiB.
	Memory uint32
	// Iterations is the time cost (number of passes over the memory).
	Iterations uint32
	// Parallelism is the number of lanes (threads) used.
	Parallelism uint8
	// SaltLength is the length of the random salt in bytes.
	SaltLength uint32
	// KeyLength is the length of the derived hash in bytes.
	KeyLength uint32
}

// DefaultParams are the production parameters: 64 MiB, 3 passes, 2 lanes.
// They follow RFC 9106's second recommended option (64 MiB) with one extra
// pass, which costs a few tens of milliseconds per login on a server core.
var DefaultParams = Params{
	Memory:      64 * 1024,
	Iterations:  3,
	Parallelism: 2,
	SaltLength:  16,
	KeyLength:   32,
}

// TestParams are deliberately cheap parameters for tests and the
// all-in-one dev binary, where hundreds of sign-ups must not take minutes.
// Never use them in production.
var TestParams = Params{
	Memory:      1024,
	Iterations:  1,
	Parallelism: 1,
	SaltLength:  16,
	KeyLength:   32,
}

// Limits on parameters read back from a stored hash. A hash string is data,
// and a corrupted or planted one must not make Verify allocate gigabytes.
const (
	maxMemoryKiB   = 1 << 21 // 2 GiB
	maxIterations  = 64
	minSaltLength  = 8
	maxSaltLength  = 64
	minKeyLength   = 16
	maxKeyLength   = 128
	phcAlgorithm   = "argon2id"
	phcVersionPart = "v=19"
)

// ErrMalformedHash means the stored string is not an argon2id PHC hash this
// package can read. It points at corrupted data, not at a wrong password.
var ErrMalformedHash = errors.New("password: malformed argon2id hash")

// ErrIncompatibleVersion means the hash was made with an argon2 version
// other than 0x13 (19), the only one golang.org/x/crypto implements.
var ErrIncompatibleVersion = errors.New("password: incompatible argon2 version")

// Hasher hashes and verifies passwords with fixed parameters.
// It is safe for concurrent use.
//
// Each argon2id run holds Params.Memory for its duration, so concurrent runs
// are what exhaust a process: a Hasher with a Budget lets runs use at most
// that much memory together; the rest queue, and a run that waits longer
// than the budget's QueueTimeout fails with ErrBusy (503, retry shortly).
//
// A run's memory is garbage once it returns, but the Go runtime keeps freed
// pages for a while and only a later collection lowers its heap goal, so a
// process that hashed a few passwords stays 64 MiB+ larger than it needs to
// be for minutes. With a budget's ReleaseIdle set, the Hasher hands that
// memory back to the operating system once no hash has run for that long.
type Hasher struct {
	params  Params
	mem     *semaphore.Weighted // KiB; nil means unbounded
	memKiB  int64
	timeout time.Duration

	releaseIdle time.Duration // 0: leave it to the runtime
	running     atomic.Int64
	idleMu      sync.Mutex
	idle        *time.Timer // fires releaseIdle after the last run ended
}

// Budget bounds the memory concurrent hashes may hold together.
type Budget struct {
	// MemoryKiB is the total; at least one hash's Memory is always allowed.
	MemoryKiB int64
	// QueueTimeout is how long a hash waits for room before ErrBusy.
	QueueTimeout time.Duration
	// ReleaseIdle, when positive, returns the memory hashes used to the
	// operating system once no hash has run for this long (a garbage
	// collection and a scavenge of the whole process, at most once per idle
	// spell).
	ReleaseIdle time.Duration
}

// ErrBusy means every hashing slot stayed taken for the queue timeout: the
// service is at its memory budget and the client should retry shortly.
var ErrBusy = errs.New(errs.Unavailable, "PASSWORD_HASHING_BUSY", "too many sign-ins at once: retry in a moment").After(time.Second)

// NewHasher returns a Hasher using p, bounded by budget when its MemoryKiB is
// set. It rejects parameters that argon2 cannot use or that would make hashes
// trivially weak or absurdly costly.
func NewHasher(p Params, budget ...Budget) (*Hasher, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	h := &Hasher{params: p}
	if len(budget) > 0 && budget[0].MemoryKiB > 0 {
		h.memKiB = max(budget[0].MemoryKiB, int64(p.Memory))
		h.mem = semaphore.NewWeighted(h.memKiB)
		h.timeout = budget[0].QueueTimeout
		h.releaseIdle = budget[0].ReleaseIdle
	}
	return h, nil
}

// Concurrent is how many hashes with the Hasher's own parameters run at once
// within its budget (0: unbounded).
func (h *Hasher) Concurrent() int {
	if h.mem == nil {
		return 0
	}
	return int(h.memKiB / int64(h.params.Memory))
}

// run derives a key once there is room for p.Memory in the budget.
func (h *Hasher) run(pw string, salt []byte, p Params) ([]byte, error) {
	if h.mem != nil {
		need := min(int64(p.Memory), h.memKiB) // a bigger stored hash takes the whole budget
		ctx, cancel := context.WithTimeout(context.Background(), h.timeout)
		defer cancel()
		if err := h.mem.Acquire(ctx, need); err != nil {
			return nil, ErrBusy
		}
		defer h.mem.Release(need)
	}
	if h.releaseIdle > 0 {
		h.running.Add(1)
		defer h.ended()
	}
	return derive(pw, salt, p), nil
}

// ended (re)starts the idle timer when the last running hash has finished.
func (h *Hasher) ended() {
	if h.running.Add(-1) != 0 {
		return
	}
	h.idleMu.Lock()
	defer h.idleMu.Unlock()
	if h.idle == nil {
		h.idle = time.AfterFunc(h.releaseIdle, func() {
			if h.running.Load() == 0 {
				debug.FreeOSMemory()
			}
		})
		return
	}
	h.idle.Reset(h.releaseIdle)
}

// defaultHasher backs the package-level Hash and Verify.
var defaultHasher = &Hasher{params: DefaultParams}

// Hash hashes pw with DefaultParams. See (*Hasher).Hash.
func Hash(pw string) (string, error) { return defaultHasher.Hash(pw) }

// Verify checks pw against encoded using DefaultParams as the target cost.
// See (*Hasher).Verify.
func Verify(pw, encoded string) (ok, needsRehash bool, err error) {
	return defaultHasher.Verify(pw, encoded)
}

// Params returns the parameters new hashes are made with.
func (h *Hasher) Params() Params { return h.params }

// Hash derives an argon2id hash of pw with a fresh random salt and returns
// it in PHC string format.
func (h *Hasher) Hash(pw string) (string, error) {
	salt := make([]byte, h.params.SaltLength)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password: read salt: %w", err)
	}
	key, err := h.run(pw, salt, h.params)
	if err != nil {
		return "", err
	}
	return encode(h.params, salt, key), nil
}

// Decoy returns a well-formed hash with the Hasher's parameters that no
// password matches: a random salt and a random key, so making it costs
// nothing, while verifying a password against it costs a full argon2id run,
// as a real account's hash does. A sign-in for an unknown account verifies
// against it so its timing does not tell that the account does not exist.
func (h *Hasher) Decoy() (string, error) {
	salt, key := make([]byte, h.params.SaltLength), make([]byte, h.params.KeyLength)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password: read salt: %w", err)
	}
	if _, err := rand.Read(key); err != nil {
		return "", fmt.Errorf("password: read key: %w", err)
	}
	return encode(h.params, salt, key), nil
}

// Verify reports whether pw matches the PHC-encoded hash. The comparison of
// the derived keys is constant-time. needsRehash is true when pw matched but
// the hash was made with parameters other than the Hasher's, so the caller
// should store a fresh Hash(pw). A mismatch is ok=false with a nil error;
// err is only set when encoded cannot be read.
func (h *Hasher) Verify(pw, encoded string) (ok, needsRehash bool, err error) {
	p, salt, want, err := decode(encoded)
	if err != nil {
		return false, false, err
	}
	got, err := h.run(pw, salt, p)
	if err != nil {
		return false, false, err
	}
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return false, false, nil
	}
	return true, p != h.params, nil
}

// derive runs argon2id over the NFKC form of pw. NIST SP 800-63B asks for
// Unicode normalisation because the same Korean password typed on macOS
// (decomposed jamo) and on Windows (precomposed syllables) differs in bytes.
func derive(pw string, salt []byte, p Params) []byte {
	return argon2.IDKey([]byte(norm.NFKC.String(pw)), salt, p.Iterations, p.Memory, p.Parallelism, p.KeyLength)
}

// b64 is the PHC encoding for salt and hash: standard alphabet, no padding.
var b64 = base64.RawStdEncoding

func encode(p Params, salt, key []byte) string {
	return fmt.Sprintf("$%s$v=%d$m=%d,t=%d,p=%d$%s$%s",
		phcAlgorithm, argon2.Version, p.Memory, p.Iterations, p.Parallelism,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

func decode(encoded string) (Params, []byte, []byte, error) {
	// "$argon2id$v=19$m=..,t=..,p=..$salt$hash" splits into six fields, the
	// first empty.
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != phcAlgorithm {
		return Params{}, nil, nil, ErrMalformedHash
	}
	if parts[2] != phcVersionPart {
		if strings.HasPrefix(parts[2], "v=") {
			return Params{}, nil, nil, ErrIncompatibleVersion
		}
		return Params{}, nil, nil, ErrMalformedHash
	}
	var p Params
	for kv := range strings.SplitSeq(parts[3], ",") {
		k, v, found := strings.Cut(kv, "=")
		if !found {
			return Params{}, nil, nil, ErrMalformedHash
		}
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return Params{}, nil, nil, ErrMalformedHash
		}
		switch k {
		case "m":
			p.Memory = uint32(n)
		case "t":
			p.Iterations = uint32(n)
		case "p":
			if n > 255 {
				return Params{}, nil, nil, ErrMalformedHash
			}
			p.Parallelism = uint8(n)
		default:
			return Params{}, nil, nil, ErrMalformedHash
		}
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return Params{}, nil, nil, ErrMalformedHash
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil {
		return Params{}, nil, nil, ErrMalformedHash
	}
	p.SaltLength = uint32(len(salt))
	p.KeyLength = uint32(len(key))
	if err := p.validate(); err != nil {
		return Params{}, nil, nil, ErrMalformedHash
	}
	return p, salt, key, nil
}

func (p Params) validate() error {
	switch {
	case p.Iterations < 1 || p.Iterations > maxIterations:
		return fmt.Errorf("password: iterations must be between 1 and %d", maxIterations)
	case p.Parallelism < 1:
		return errors.New("password: parallelism must be at least 1")
	case p.Memory < 8*uint32(p.Parallelism) || p.Memory > maxMemoryKiB:
		// argon2 needs at least 8 KiB per lane.
		return fmt.Errorf("password: memory must be between %d and %d KiB", 8*uint32(p.Parallelism), maxMemoryKiB)
	case p.SaltLength < minSaltLength || p.SaltLength > maxSaltLength:
		return fmt.Errorf("password: salt length must be between %d and %d bytes", minSaltLength, maxSaltLength)
	case p.KeyLength < minKeyLength || p.KeyLength > maxKeyLength:
		return fmt.Errorf("password: key length must be between %d and %d bytes", minKeyLength, maxKeyLength)
	}
	return nil
}
