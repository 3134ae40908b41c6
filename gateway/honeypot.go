package gateway

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	identityv1 "github.com/jangteo/jangteo/gen/go/jangteo/identity/v1"
)

// The real admin API's routes as declared in the protos. The gateway serves
// them under Config.AdminPrefix instead, so scanners probing the usual paths
// find nothing but the honeypot.
const protoAdminPrefix = "/v1/admin"

// clientIP decides the caller's address once and pins it in X-Forwarded-For,
// which grpc-gateway forwards to the services (identity throttles logins by
// it). Unless the gateway sits behind trusted proxies, a client-sent
// X-Forwarded-For is discarded so nobody can pose as another address.
//
// Behind proxies that append to X-Forwarded-For (ingress-nginx, an ALB), the
// left of the header is whatever the client sent; only the entries the
// proxies added are true. So the client is the right-most address that is
// not a trusted proxy, and the header is read only when the connection
// itself comes from one.
func clientIP(trustProxy bool, trusted []netip.Prefix) middleware {
	isTrusted := func(a netip.Addr) bool {
		a = a.Unmap()
		for _, p := range trusted {
			if p.Contains(a) {
				return true
			}
		}
		return false
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ip := remoteIP(r.RemoteAddr)
			if peer, err := netip.ParseAddr(ip); trustProxy && err == nil && isTrusted(peer) {
				ip = forwardedClient(r.Header.Values("X-Forwarded-For"), isTrusted, ip)
			}
			r.Header.Set("X-Forwarded-For", ip)
			next.ServeHTTP(w, r)
		})
	}
}

// forwardedClient walks X-Forwarded-For from the right, skipping trusted
// proxies, and returns the first other address; peer when there is none.
func forwardedClient(headers []string, isTrusted func(netip.Addr) bool, peer string) string {
	var hops []string
	for _, h := range headers {
		hops = append(hops, strings.Split(h, ",")...)
	}
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // garbage: nothing left of it can be believed
		}
		client = a.Unmap().String()
		if !isTrusted(a) {
			break
		}
	}
	return client
}

func remoteIP(addr string) string {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}

func requestIP(r *http.Request) string {
	ip, _, _ := strings.Cut(r.Header.Get("X-Forwarded-For"), ",")
	return strings.TrimSpace(ip)
}

// honeypot serves a fake admin login at /admin, reports every request to it to
// identity, and turns away blocked addresses from the whole API.
type honeypot struct {
	client identityv1.IdentityServiceClient
	log    *zap.Logger
	// dev records loopback visitors but never blocks them: on one machine
	// everyone is 127.0.0.1, and a newcomer opening /admin would lock
	// themselves (and their unblock request) out of the whole API.
	dev bool

	mu      sync.RWMutex
	blocked map[string]bool
}

func newHoneypot(client identityv1.IdentityServiceClient, dev bool, log *zap.Logger) *honeypot {
	return &honeypot{client: client, dev: dev, log: log.Named("honeypot"), blocked: map[string]bool{}}
}

// refresh reloads the blocklist from identity every interval until ctx ends,
// so unblocking by staff and blocks recorded by other gateway replicas apply.
func (h *honeypot) refresh(ctx context.Context, interval time.Duration) {
	for {
		reqCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
		resp, err := h.client.ListBlockedIps(reqCtx, &identityv1.ListBlockedIpsRequest{})
		cancel()
		if err == nil {
			set := make(map[string]bool, len(resp.GetIps()))
			for _, ip := range resp.GetIps() {
				set[ip] = true
			}
			h.mu.Lock()
			h.blocked = set
			h.mu.Unlock()
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
		}
	}
}

func (h *honeypot) isBlocked(ip string) bool {
	if a, err := netip.ParseAddr(ip); h.dev && err == nil && a.IsLoopback() {
		return false
	}
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.blocked[ip]
}

// guard answers 403 to blocked addresses on every path but the probes.
func (h *honeypot) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/healthz", "/readyz", "/metrics":
		default:
			if h.isBlocked(requestIP(r)) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusForbidden)
				_, _ = w.Write([]byte(`{"code":7,"message":"this address is blocked","details":[]}`))
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

const fakeLogin = `<!doctype html>
<html><head><meta charset="utf-8"><title>Site administration</title></head>
<body><h1>Site administration</h1>%s
<form method="post" action="/admin/login/">
<label>Username <input name="username" autocomplete="username"></label>
<label>Password <input name="password" type="password" autocomplete="current-password"></label>
<button type="submit">Log in</button>
</form></body></html>`

// ServeHTTP serves the fake admin login and records the visit.
func (h *honeypot) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	username := ""
	if r.Method == http.MethodPost {
		_ = r.ParseForm()
		username = r.PostFormValue("username")
	}
	ip := requestIP(r)
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	resp, err := h.client.RecordHoneypotAttempt(ctx, &identityv1.RecordHoneypotAttemptRequest{
		Ip: ip, UserAgent: truncate(r.UserAgent(), 1000), Path: truncate(r.URL.Path, 1000), UsernameTried: truncate(username, 500),
	})
	if err != nil {
		h.log.Warn("record attempt", zap.String("ip", ip), zap.Error(err))
	} else if resp.GetBlocked() {
		h.mu.Lock()
		h.blocked[ip] = true
		h.mu.Unlock()
	}
	msg := ""
	status := http.StatusOK
	if r.Method == http.MethodPost {
		msg = "<p>Please enter the correct username and password for a staff account.</p>"
		status = http.StatusUnauthorized
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(strings.Replace(fakeLogin, "%s", msg, 1)))
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// adminPrefix serves the admin API under prefix: requests there are rewritten
// to the routes the protos declare, and those routes themselves answer 404.
func adminPrefix(prefix string) middleware {
	prefix = strings.TrimRight(prefix, "/")
	return func(next http.Handler) http.Handler {
		if prefix == "" || prefix == protoAdminPrefix {
			return next
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p := r.URL.Path
			switch {
			case p == prefix || strings.HasPrefix(p, prefix+"/"):
				r2 := r.Clone(r.Context())
				r2.URL.Path = protoAdminPrefix + strings.TrimPrefix(p, prefix)
				r2.URL.RawPath = ""
				next.ServeHTTP(w, r2)
			case p == protoAdminPrefix || strings.HasPrefix(p, protoAdminPrefix+"/"):
				http.NotFound(w, r)
			default:
				next.ServeHTTP(w, r)
			}
		})
	}
}
