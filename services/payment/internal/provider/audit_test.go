package provider

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

func TestRedactJSON(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		`{"cid":"TC0ONETIME","pg_token":"abc","amount":{"total":1000}}`:      `{"amount":{"total":1000},"cid":"TC0ONETIME","pg_token":"[REDACTED]"}`,
		`{"Callback":{"pg_token":["abc"],"state":["x"]}}`:                    `{"Callback":{"pg_token":"[REDACTED]","state":["x"]}}`,
		`{"access_token":"t","client_secret":"s","items":[{"secretKey":1}]}`: `{"access_token":"[REDACTED]","client_secret":"[REDACTED]","items":[{"secretKey":"[REDACTED]"}]}`,
		`{"amount":12345678901234567890}`:                                    `{"amount":12345678901234567890}`,
		`not json`:                                                           `not json`,
	} {
		if got := string(RedactJSON([]byte(in))); got != want {
			t.Errorf("RedactJSON(%s) = %s, want %s", in, got, want)
		}
	}
}

type calls struct {
	mu   sync.Mutex
	list []Call
}

func (c *calls) Record(_ context.Context, call Call) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.list = append(c.list, call)
}

func TestRecordingTransportKeepsTheExchangeWithoutSecrets(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if string(body) != `{"tid":"T1","pg_token":"one-time"}` {
			t.Errorf("the provider got %s", body)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"aid":"A1","access_token":"leak"}`)
	}))
	t.Cleanup(srv.Close)
	rec := &calls{}
	client := &http.Client{Transport: &RecordingTransport{Provider: "kakaopay", Recorder: rec}}
	req, _ := http.NewRequestWithContext(WithPayment(context.Background(), "pay-1"), "POST", srv.URL+"/online/v1/payment/approve",
		strings.NewReader(`{"tid":"T1","pg_token":"one-time"}`))
	req.Header.Set("Authorization", "SECRET_KEY DEVSECRET")
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if string(body) != `{"aid":"A1","access_token":"leak"}` {
		t.Fatalf("the client got %s", body)
	}
	if len(rec.list) != 1 {
		t.Fatalf("%d calls recorded", len(rec.list))
	}
	c := rec.list[0]
	all := string(c.Request) + string(c.Response)
	if c.PaymentID != "pay-1" || c.Provider != "kakaopay" || c.Operation != "POST /online/v1/payment/approve" {
		t.Fatalf("call = %+v", c)
	}
	for _, secret := range []string{"DEVSECRET", "one-time", "leak"} {
		if strings.Contains(all, secret) {
			t.Fatalf("%q kept in the audit log:\n%s", secret, all)
		}
	}
	for _, kept := range []string{"POST /online/v1/payment/approve", `"tid":"T1"`, "200 OK", `"aid":"A1"`} {
		if !strings.Contains(all, kept) {
			t.Fatalf("%q missing from the audit log:\n%s", kept, all)
		}
	}
}
