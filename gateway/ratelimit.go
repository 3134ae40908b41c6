package gateway

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jangteo/jangteo/platform/auth"
	"github.com/jangteo/jangteo/platform/errs"
)

// Limit is one token bucket: Burst requests at once, refilled at Burst per
// Window. Zero Burst disables it.
type Limit struct {
	Burst  int
	Window time.Duration
}

// RateLimits configure the gateway's limits per route group. Each group has a
// bucket per client address and, for signed-in callers, one per user; a
// request spends a token from both.
type RateLimits struct {
	// Auth covers /v1/auth/… and the honeypot: sign-in, sign-up, password
	// mail. Stricter, as guessing passwords is what it throttles.
	Auth Limit `env:"RATE_LIMIT_AUTH"`
	// Write covers every other POST, PUT, PATCH and DELETE.
	Write Limit `env:"RATE_LIMIT_WRITE"`
	// Read covers everything else.
	Read Limit `env:"RATE_LIMIT_READ"`
}

// DefaultRateLimits suit one person on one browser generously while bounding
// a script: 600 reads, 120 writes and 20 auth calls a minute.
func DefaultRateLimits() RateLimits {
	return RateLimits{
		Auth:  Limit{Burst: 20, Window: time.Minute},
		Write: Limit{Burst: 120, Window: time.Minute},
		Read:  Limit{Burst: 600, Window: time.Minute},
	}
}

// UnmarshalText reads "20/1m": 20 requests per minute ("0/1m" disables).
func (l *Limit) UnmarshalText(text []byte) error {
	s := string(text)
	n, w, ok := strings.Cut(s, "/")
	burst, err := strconv.Atoi(n)
	if !ok || err != nil || burst < 0 {
		return fmt.Errorf("rate limit %q: want <requests>/<window>, e.g. 20/1m", s)
	}
	window, err := time.ParseDuration(w)
	if err != nil || window <= 0 {
		return fmt.Errorf("rate limit %q: want a positive window such as 1m", s)
	}
	*l = Limit{Burst: burst, Window: window}
	return nil
}

// limiter holds the token buckets of one gateway replica in memory. With N
// replicas behind a load balancer a client gets up to N times the limit;
// that is the documented trade for having no shared store on the hot path.
type limiter struct {
	groups   map[string]Limit
	verifier *auth.Verifier
	now      func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newLimiter(l RateLimits, verifier *auth.Verifier) *limiter {
	return &limiter{
		groups:   map[string]Limit{"auth": l.Auth, "write": l.Write, "read": l.Read},
		verifier: verifier,
		now:      time.Now,
		buckets:  map[string]*bucket{},
	}
}

// group names the route group of a request.
func group(r *http.Request) string {
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, "/v1/auth/") || p == "/admin" || strings.HasPrefix(p, "/admin/"):
		return "auth"
	case r.Method == http.MethodGet || r.Method == http.MethodHead || r.Method == http.MethodOptions:
		return "read"
	}
	return "write"
}

// middleware spends a token per request from the caller's address bucket
// and, with a valid access token, from the user's bucket. The user is taken
// from a verified token only: an unverified sub would let anyone drain
// another user's bucket. Probes and metrics are never limited.
func (l *limiter) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/healthz", "/readyz", "/metrics":
			next.ServeHTTP(w, r)
			return
		}
		g := group(r)
		lim := l.groups[g]
		if lim.Burst <= 0 {
			next.ServeHTTP(w, r)
			return
		}
		keys := []string{g + "|ip|" + requestIP(r)}
		if user := l.user(r.Context(), r.Header.Get("Authorization")); user != "" {
			keys = append(keys, g+"|user|"+user)
		}
		remaining, reset, wait := l.take(lim, keys)
		h := w.Header()
		h.Set("RateLimit-Policy", fmt.Sprintf(`"%s";q=%d;w=%d`, g, lim.Burst, int(lim.Window.Seconds())))
		h.Set("RateLimit", fmt.Sprintf(`"%s";r=%d;t=%d`, g, remaining, ceilSeconds(reset)))
		if wait > 0 {
			writeStatus(w, r, errRateLimited.After(wait))
			return
		}
		next.ServeHTTP(w, r)
	})
}

var errRateLimited = errs.New(errs.ResourceExhausted, "RATE_LIMITED", "too many requests: slow down and retry after the time in Retry-After")

func (l *limiter) user(ctx context.Context, authz string) string {
	tok, ok := strings.CutPrefix(authz, "Bearer ")
	if !ok || l.verifier == nil {
		return ""
	}
	p, err := l.verifier.Verify(ctx, strings.TrimSpace(tok))
	if err != nil {
		return ""
	}
	return p.UserID
}

// take spends one token from every bucket in keys, or none when any is
// empty. It returns the tokens left in the emptiest bucket, the time until
// that bucket is full again, and how long to wait when refused.
func (l *limiter) take(lim Limit, keys []string) (remaining int, reset, wait time.Duration) {
	rate := float64(lim.Burst) / lim.Window.Seconds() // tokens per second
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	bs := make([]*bucket, len(keys))
	low := math.Inf(1)
	for i, k := range keys {
		b := l.buckets[k]
		if b == nil {
			b = &bucket{tokens: float64(lim.Burst), at: now}
			l.buckets[k] = b
		}
		b.tokens = math.Min(float64(lim.Burst), b.tokens+now.Sub(b.at).Seconds()*rate)
		b.at = now
		bs[i] = b
		low = math.Min(low, b.tokens)
	}
	if low < 1 {
		wait = time.Duration((1 - low) / rate * float64(time.Second))
		return 0, time.Duration((float64(lim.Burst) - low) / rate * float64(time.Second)), wait
	}
	for _, b := range bs {
		b.tokens--
	}
	low--
	return int(low), time.Duration((float64(lim.Burst) - low) / rate * float64(time.Second)), 0
}

// sweep drops buckets idle long enough to have refilled, once a minute, so
// memory follows the number of recent clients.
func (l *limiter) sweep(now time.Time) {
	if now.Sub(l.swept) < time.Minute {
		return
	}
	l.swept = now
	longest := time.Duration(0)
	for _, lim := range l.groups {
		longest = max(longest, lim.Window)
	}
	for k, b := range l.buckets {
		if now.Sub(b.at) > longest {
			delete(l.buckets, k)
		}
	}
}

func ceilSeconds(d time.Duration) int {
	return int(math.Ceil(d.Seconds()))
}
