package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"time"
)

// Call is one request to a provider and its answer, kept for audit.
type Call struct {
	PaymentID string
	Provider  string
	Operation string
	// Request and Response are the raw exchange with secrets redacted.
	Request, Response []byte
	Err               error
	Started           time.Time
	Duration          time.Duration
}

// Recorder keeps calls. It must not fail the payment: a recorder that cannot
// write logs the loss itself.
type Recorder interface {
	Record(ctx context.Context, c Call)
}

// Audited wraps p so that every call through the interface is recorded, its
// request and answer as redacted JSON. HTTP providers also record the wire
// exchange with RecordingTransport.
func Audited(p Provider, rec Recorder) Provider { return audited{p, rec} }

type audited struct {
	Provider
	rec Recorder
}

func record[Req, Res any](ctx context.Context, a audited, op, paymentID string, req Req, call func() (Res, error)) (Res, error) {
	start := time.Now()
	res, err := call()
	c := Call{
		PaymentID: paymentID, Provider: a.Name(), Operation: op,
		Request: redactedJSON(req), Started: start, Duration: time.Since(start), Err: err,
	}
	if err == nil {
		c.Response = redactedJSON(res)
	}
	a.rec.Record(ctx, c)
	return res, err
}

func (a audited) Prepare(ctx context.Context, r PrepareRequest) (Prepared, error) {
	return record(ctx, a, "prepare", r.ID, r, func() (Prepared, error) { return a.Provider.Prepare(ctx, r) })
}

func (a audited) Approve(ctx context.Context, r ApproveRequest) (Approval, error) {
	return record(ctx, a, "approve", r.ID, r, func() (Approval, error) { return a.Provider.Approve(ctx, r) })
}

func (a audited) Lookup(ctx context.Context, r LookupRequest) (Status, error) {
	return record(ctx, a, "lookup", r.ID, r, func() (Status, error) { return a.Provider.Lookup(ctx, r) })
}

func (a audited) Refund(ctx context.Context, r RefundRequest) (Refunded, error) {
	return record(ctx, a, "refund", r.ID, r, func() (Refunded, error) { return a.Provider.Refund(ctx, r) })
}

// Unwrap returns the provider inside the audit (the sandbox's page needs its own methods).
func (a audited) Unwrap() Provider { return a.Provider }

func redactedJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		return []byte(`"unencodable: ` + err.Error() + `"`)
	}
	return RedactJSON(b)
}

// secretKey matches the JSON keys and headers whose values are never kept:
// credentials, tokens and one-time approval tokens.
var secretKey = regexp.MustCompile(`(?i)^(authorization|proxy-authorization|cookie|set-cookie|.*secret.*|.*password.*|.*api[-_]?key.*|access_token|refresh_token|id_token|pg_token|client_id|card_?number|cvc|cvv)$`)

// Redacted replaces a secret's value.
const Redacted = "[REDACTED]"

// RedactJSON replaces the values of secret keys anywhere in a JSON document
// (and in url.Values encoded as JSON objects of arrays). A body that is not
// JSON is returned as it is.
func RedactJSON(body []byte) []byte {
	var v any
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		return body
	}
	out, err := json.Marshal(redactValue(v))
	if err != nil {
		return body
	}
	return out
}

func redactValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if secretKey.MatchString(k) {
				v[k] = Redacted
			} else {
				v[k] = redactValue(x)
			}
		}
	case []any:
		for i, x := range v {
			v[i] = redactValue(x)
		}
	}
	return v
}

// RecordingTransport records every HTTP exchange of a provider client: the
// request and response as on the wire, with secret headers and JSON fields
// redacted. WithPayment on the request's context names its payment.
type RecordingTransport struct {
	Base      http.RoundTripper
	Provider  string
	Recorder  Recorder
	Operation func(*http.Request) string
}

type paymentKey struct{}

// WithPayment tells RecordingTransport which payment a request is for.
func WithPayment(ctx context.Context, paymentID string) context.Context {
	return context.WithValue(ctx, paymentKey{}, paymentID)
}

// RoundTrip implements http.RoundTripper.
func (t *RecordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	var reqBody []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, err
		}
		reqBody = b
		req.Body = io.NopCloser(bytes.NewReader(b))
	}
	start := time.Now()
	res, err := base.RoundTrip(req)
	c := Call{Provider: t.Provider, Operation: req.Method + " " + req.URL.Path, Started: start, Err: err}
	if t.Operation != nil {
		c.Operation = t.Operation(req)
	}
	c.PaymentID, _ = req.Context().Value(paymentKey{}).(string)
	c.Request = dump(req.Header, req.Method+" "+req.URL.RequestURI()+" "+req.Proto, reqBody)
	if err == nil {
		b, rerr := io.ReadAll(res.Body)
		_ = res.Body.Close()
		res.Body = io.NopCloser(bytes.NewReader(b))
		if rerr != nil {
			err = rerr
			c.Err = rerr
		}
		c.Response = dump(res.Header, res.Proto+" "+res.Status, b)
	}
	c.Duration = time.Since(start)
	t.Recorder.Record(req.Context(), c)
	return res, err
}

func dump(h http.Header, first string, body []byte) []byte {
	var b bytes.Buffer
	b.WriteString(first + "\r\n")
	clean := h.Clone()
	for k := range clean {
		if secretKey.MatchString(k) {
			clean[k] = []string{Redacted}
		}
	}
	_ = clean.Write(&b)
	b.WriteString("\r\n")
	b.Write(RedactJSON(body))
	return b.Bytes()
}
