package gateway

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// secureHeaders sets the headers every response carries: no MIME sniffing,
// no referrer leaking to other sites, never framed (clickjacking), HSTS when
// the gateway is served over TLS (hsts > 0), and no caching of anything that
// carries credentials or account data: the auth routes, /v1/me, the admin API
// and any request made with a token.
func secureHeaders(hsts time.Duration, adminPrefix string) middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Referrer-Policy", "no-referrer")
			h.Set("X-Frame-Options", "DENY")
			h.Set("Content-Security-Policy", "frame-ancestors 'none'")
			if hsts > 0 {
				h.Set("Strict-Transport-Security", "max-age="+strconv.Itoa(int(hsts.Seconds()))+"; includeSubDomains")
			}
			if private(r, adminPrefix) {
				h.Set("Cache-Control", "no-store")
			}
			next.ServeHTTP(w, r)
		})
	}
}

func private(r *http.Request, adminPrefix string) bool {
	p := r.URL.Path
	under := func(prefix string) bool {
		prefix = strings.TrimRight(prefix, "/")
		return prefix != "" && (p == prefix || strings.HasPrefix(p, prefix+"/"))
	}
	return r.Header.Get("Authorization") != "" || r.Header.Get("X-Cart-Token") != "" ||
		under("/v1/auth") || under("/v1/me") || under(protoAdminPrefix) || under(adminPrefix) || under("/admin")
}
