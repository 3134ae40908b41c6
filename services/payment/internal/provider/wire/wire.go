// Package wire is what the HTTP payment providers share: a JSON client that
// records every exchange in the audit log and tells a definite answer from a
// lost one.
package wire

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/jangteo/jangteo/services/payment/internal/provider"
)

// Client calls one provider's HTTP API.
type Client struct {
	// BaseURL is the provider's API root, without a trailing slash.
	BaseURL string
	HTTP    *http.Client
}

// New returns a client of the API at baseURL that records every exchange
// with rec (nil records nothing) and gives each call timeout.
func New(name, baseURL string, rec provider.Recorder, timeout time.Duration) Client {
	var rt http.RoundTripper = http.DefaultTransport
	if rec != nil {
		rt = &provider.RecordingTransport{Base: http.DefaultTransport, Provider: name, Recorder: rec}
	}
	return Client{BaseURL: strings.TrimRight(baseURL, "/"), HTTP: &http.Client{Transport: rt, Timeout: timeout}}
}

// Response is a provider's answer: its status and body.
type Response struct {
	Status int
	Body   []byte
}

// OK reports a 2xx answer.
func (r Response) OK() bool { return r.Status >= 200 && r.Status < 300 }

// Decode reads the body as JSON into v.
func (r Response) Decode(v any) error {
	if err := json.Unmarshal(r.Body, v); err != nil {
		return fmt.Errorf("undecodable answer (%d): %w", r.Status, err)
	}
	return nil
}

// ErrNoAnswer wraps a request sent whose answer never came (a timeout, a
// dropped connection): it may have taken effect.
var ErrNoAnswer = errors.New("no answer")

// Do sends a request for paymentID (for the audit log) with a JSON body (nil
// for none; a string is sent as it is, form-encoded) and headers. A transport
// failure is ErrNoAnswer; any HTTP status is an answer.
func (c Client) Do(ctx context.Context, paymentID, method, path string, body any, headers map[string]string) (Response, error) {
	var rd io.Reader
	contentType := "application/json"
	switch b := body.(type) {
	case nil:
	case string:
		rd, contentType = strings.NewReader(b), "application/x-www-form-urlencoded"
	default:
		j, err := json.Marshal(b)
		if err != nil {
			return Response{}, err
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequestWithContext(provider.WithPayment(ctx, paymentID), method, c.BaseURL+path, rd)
	if err != nil {
		return Response{}, err
	}
	if rd != nil {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := c.HTTP.Do(req)
	if err != nil {
		return Response{}, fmt.Errorf("%s %s: %w: %w", method, path, ErrNoAnswer, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return Response{}, fmt.Errorf("%s %s: %w: %w", method, path, ErrNoAnswer, err)
	}
	return Response{Status: res.StatusCode, Body: b}, nil
}

// Uncertain turns a lost answer to a state-changing call into
// provider.ErrUncertain; other errors are returned as they are.
func Uncertain(err error) error {
	if errors.Is(err, ErrNoAnswer) {
		return fmt.Errorf("%w: %w", provider.ErrUncertain, err)
	}
	return err
}
