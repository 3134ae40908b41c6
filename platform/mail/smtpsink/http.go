package smtpsink

import (
	"encoding/json"
	"net/http"
	"strings"
)

// Handler serves the mailbox as a JSON array of Message, newest first: the
// dev mailbox at GET /dev/mailbox. The optional query parameter "to" keeps
// only messages to that address (case-insensitive), so a developer can see
// just the mail for the account they are signing up.
func (s *Sink) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		msgs := s.Messages()
		if to := strings.TrimSpace(r.URL.Query().Get("to")); to != "" {
			kept := msgs[:0]
			for _, m := range msgs {
				if m.SentTo(to) {
					kept = append(kept, m)
				}
			}
			msgs = kept
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		// Verification links are secrets; keep them out of caches.
		w.Header().Set("Cache-Control", "no-store")
		if r.Method == http.MethodHead {
			return
		}
		_ = json.NewEncoder(w).Encode(msgs)
	})
}

// SentTo reports whether addr is among the envelope recipients, ignoring
// case; handy as a Wait matcher.
func (m Message) SentTo(addr string) bool {
	for _, t := range m.To {
		if strings.EqualFold(t, addr) {
			return true
		}
	}
	return false
}
