// Package social reads the signed-in user's profile from an OAuth provider
// (Google, Naver, Kakao) given the access token the client obtained there.
//
// Identity never sees the user's provider password or runs the OAuth
// redirect dance itself: the app or web client finishes the provider's login
// and sends the access token; this package calls the provider's user-info
// endpoint with it. A token the provider accepts proves the user, and the
// provider's answer names them.
package social

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Provider names, as used in the API and stored with linked accounts.
const (
	ProviderGoogle = "google"
	ProviderNaver  = "naver"
	ProviderKakao  = "kakao"
)

// Profile is a provider's account, mapped to the fields identity uses.
type Profile struct {
	// Provider is ProviderGoogle, ProviderNaver or ProviderKakao.
	Provider string
	// Subject is the provider's stable user id; with Provider it is the key
	// of a linked account. Emails can change hands, subjects do not.
	Subject string
	// Email is the account's email, empty when the user did not consent.
	Email string
	// EmailVerified is true only when the provider vouches that the user
	// controls Email; only then may identity link by email.
	EmailVerified bool
	// Name is a display name: the real name when shared, else a nickname.
	Name string
	// AvatarURL is the profile picture URL, if any.
	AvatarURL string
}

// Provider fetches the profile behind an access token.
type Provider interface {
	// Name returns the provider name (ProviderGoogle, ...).
	Name() string
	// UserInfo calls the provider's user-info endpoint with accessToken.
	UserInfo(ctx context.Context, accessToken string) (Profile, error)
}

// Errors returned by UserInfo, wrapped with the provider name and details
// for the log; match them with errors.Is.
var (
	// ErrInvalidToken means the provider rejected the access token (unknown,
	// expired or revoked): the client should sign in with the provider again.
	ErrInvalidToken = errors.New("social: access token rejected by provider")
	// ErrUnavailable means the provider could not answer (5xx, rate limit,
	// timeout, connection failure). Retrying later may succeed.
	ErrUnavailable = errors.New("social: provider unavailable")
	// ErrBadResponse means the provider answered in a way this package does
	// not understand or that points at our own misconfiguration.
	ErrBadResponse = errors.New("social: unexpected provider response")
	// ErrUnknownProvider is returned by Registry.Get for unsupported names.
	ErrUnknownProvider = errors.New("social: unknown provider")
)

// DefaultTimeout bounds a user-info call when no http.Client is injected.
// A sign-in waits on it, so it is short.
const DefaultTimeout = 10 * time.Second

// maxBody caps how much of a provider answer is read; profiles are small.
const maxBody = 1 << 20

// Config holds the providers' base URLs. Empty fields take the defaults;
// tests and staging point them at fakes.
type Config struct {
	GoogleBaseURL string `env:"GOOGLE_BASE_URL"`
	NaverBaseURL  string `env:"NAVER_BASE_URL"`
	KakaoBaseURL  string `env:"KAKAO_BASE_URL"`
}

// Registry finds a Provider by name.
type Registry struct {
	providers map[string]Provider
}

// NewRegistry returns a Registry of the given providers, keyed by Name().
// A later provider with the same name replaces an earlier one.
func NewRegistry(providers ...Provider) *Registry {
	r := &Registry{providers: make(map[string]Provider, len(providers))}
	for _, p := range providers {
		r.providers[p.Name()] = p
	}
	return r
}

// NewDefaultRegistry returns a Registry of the Google, Naver and Kakao
// clients at cfg's base URLs, all sharing hc (nil means a client with
// DefaultTimeout).
func NewDefaultRegistry(cfg Config, hc *http.Client) *Registry {
	return NewRegistry(
		NewGoogle(cfg.GoogleBaseURL, hc),
		NewNaver(cfg.NaverBaseURL, hc),
		NewKakao(cfg.KakaoBaseURL, hc),
	)
}

// Get returns the provider called name, or ErrUnknownProvider.
func (r *Registry) Get(name string) (Provider, error) {
	p, ok := r.providers[name]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownProvider, name)
	}
	return p, nil
}

// Names returns the registered provider names, sorted.
func (r *Registry) Names() []string {
	names := make([]string, 0, len(r.providers))
	for n := range r.providers {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// endpoint is the HTTP plumbing the three clients share.
type endpoint struct {
	provider string
	url      string
	hc       *http.Client
	// header adds provider-specific request headers.
	header http.Header
}

func newEndpoint(provider, baseURL, defaultBaseURL, path string, hc *http.Client) endpoint {
	if baseURL == "" {
		baseURL = defaultBaseURL
	}
	if hc == nil {
		hc = &http.Client{Timeout: DefaultTimeout}
	}
	u, err := url.JoinPath(baseURL, path)
	if err != nil {
		// A malformed base URL fails every call with a clear error rather
		// than panicking at wiring time.
		u = baseURL + path
	}
	return endpoint{provider: provider, url: u, hc: hc, header: http.Header{}}
}

// get calls the endpoint with the bearer token and returns the status and
// body. Transport failures come back as ErrUnavailable, except when the
// caller's own context ended, which is not the provider's fault.
func (e endpoint) get(ctx context.Context, accessToken string) (int, []byte, error) {
	if accessToken == "" {
		return 0, nil, e.errorf(ErrInvalidToken, "empty access token")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.url, nil)
	if err != nil {
		return 0, nil, e.errorf(ErrBadResponse, "build request: %v", err)
	}
	for k, v := range e.header {
		req.Header[k] = v
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	req.Header.Set("Accept", "application/json")
	resp, err := e.hc.Do(req)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return 0, nil, fmt.Errorf("social: %s: %w", e.provider, ctxErr)
		}
		return 0, nil, e.errorf(ErrUnavailable, "%v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return 0, nil, e.errorf(ErrUnavailable, "read response: %v", err)
	}
	if resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests {
		return resp.StatusCode, body, e.errorf(ErrUnavailable, "HTTP %d: %s", resp.StatusCode, snippet(body))
	}
	return resp.StatusCode, body, nil
}

// errorf wraps kind with the provider name and a detail for the logs.
func (e endpoint) errorf(kind error, format string, args ...any) error {
	return fmt.Errorf("%w (%s: %s)", kind, e.provider, fmt.Sprintf(format, args...))
}

// snippet shortens a response body for an error message.
func snippet(body []byte) string {
	const n = 200
	s := strings.TrimSpace(string(body))
	if len(s) > n {
		return strings.ToValidUTF8(s[:n], "") + "…"
	}
	return s
}
