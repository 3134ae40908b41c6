package tracing

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"go.opentelemetry.io/otel/trace"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
)

// collector keeps the span names and service names it receives.
type collector struct {
	coltracepb.UnimplementedTraceServiceServer
	got chan *coltracepb.ExportTraceServiceRequest
}

func (c *collector) Export(_ context.Context, req *coltracepb.ExportTraceServiceRequest) (*coltracepb.ExportTraceServiceResponse, error) {
	c.got <- req
	return &coltracepb.ExportTraceServiceResponse{}, nil
}

func (c *collector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var req coltracepb.ExportTraceServiceRequest
	if r.URL.Path != "/v1/traces" || proto.Unmarshal(body, &req) != nil {
		http.Error(w, "bad export", http.StatusBadRequest)
		return
	}
	c.got <- &req
	w.Header().Set("Content-Type", "application/x-protobuf")
	out, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
	_, _ = w.Write(out)
}

func TestExportsByOTLPWhenConfigured(t *testing.T) {
	for _, protocol := range []string{"http/protobuf", "grpc"} {
		t.Run(protocol, func(t *testing.T) {
			c := &collector{got: make(chan *coltracepb.ExportTraceServiceRequest, 8)}
			endpoint := ""
			if protocol == "grpc" {
				ln, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					t.Fatal(err)
				}
				srv := grpc.NewServer()
				coltracepb.RegisterTraceServiceServer(srv, c)
				go srv.Serve(ln) //nolint:errcheck
				defer srv.Stop()
				endpoint = "http://" + ln.Addr().String()
				t.Setenv("OTEL_EXPORTER_OTLP_INSECURE", "true")
			} else {
				srv := httptest.NewServer(c)
				defer srv.Close()
				endpoint = srv.URL
			}
			t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint)
			t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", protocol)
			t.Setenv("OTEL_SERVICE_NAME", "catalog")

			tp, err := newProvider(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			_, span := tp.Tracer("test").Start(context.Background(), "GET /v1/products", trace.WithSpanKind(trace.SpanKindServer))
			span.End()
			if err := tp.Shutdown(context.Background()); err != nil {
				t.Fatal(err)
			}
			req := <-c.got
			rs := req.GetResourceSpans()[0]
			var service string
			for _, a := range rs.GetResource().GetAttributes() {
				if a.GetKey() == "service.name" {
					service = a.GetValue().GetStringValue()
				}
			}
			name := rs.GetScopeSpans()[0].GetSpans()[0].GetName()
			if service != "catalog" || name != "GET /v1/products" {
				t.Fatalf("exported span %q of service %q", name, service)
			}
		})
	}
}

func TestNoExportWhenUnset(t *testing.T) {
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "")
	t.Setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "")
	if e, err := newExporter(context.Background()); e != nil || err != nil {
		t.Fatalf("exporter = %v, %v; want none", e, err)
	}
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318")
	t.Setenv("OTEL_TRACES_EXPORTER", "none")
	if e, _ := newExporter(context.Background()); e != nil {
		t.Fatal("OTEL_TRACES_EXPORTER=none still exports")
	}
	t.Setenv("OTEL_TRACES_EXPORTER", "")
	t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json")
	if _, err := newExporter(context.Background()); err == nil {
		t.Fatal("an unsupported protocol was accepted")
	}
}

func TestUnexportedSpansAreNotRecordedButCarryTraceIDs(t *testing.T) {
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "")
	t.Setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "")
	tp, err := newProvider(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx, parent := tp.Tracer("t").Start(context.Background(), "parent")
	_, child := tp.Tracer("t").Start(ctx, "child")
	if parent.IsRecording() || child.IsRecording() {
		t.Fatal("spans are recorded with nothing to export them")
	}
	if !parent.SpanContext().IsValid() || child.SpanContext().TraceID() != parent.SpanContext().TraceID() {
		t.Fatal("the trace id is not kept from parent to child")
	}
}
