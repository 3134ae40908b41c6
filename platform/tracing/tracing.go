// Package tracing installs OpenTelemetry so every request gets a trace that
// flows gateway → services (W3C traceparent over gRPC metadata) → outbox →
// NATS → consumers, and into the logs as trace_id.
//
// Spans are exported by OTLP when the standard variables ask for it, and not
// at all otherwise:
//
//	OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT  the collector (unset: no export)
//	OTEL_EXPORTER_OTLP_PROTOCOL or OTEL_EXPORTER_OTLP_TRACES_PROTOCOL  grpc or http/protobuf (the default)
//	OTEL_EXPORTER_OTLP_HEADERS, …_TIMEOUT, …_INSECURE, …_CERTIFICATE     as the OTLP exporters read them
//	OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES                        the resource (service.name defaults to the program's name)
//	OTEL_TRACES_SAMPLER, OTEL_TRACES_SAMPLER_ARG                       sampling (default parentbased_always_on)
//	OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none                no export even with an endpoint
//
// Without an exporter no span is recorded (nothing would read it), yet every
// request still gets a trace id that is propagated and logged.
package tracing

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.37.0"
)

var (
	once     sync.Once
	provider *sdktrace.TracerProvider
)

// Setup installs the tracer provider and propagators once per process,
// exporting spans by OTLP when OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT is set.
// A bad setting is reported through otel's error handler and leaves export off.
func Setup() {
	once.Do(func() {
		tp, err := newProvider(context.Background())
		if err != nil {
			otel.Handle(err)
			tp = sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.NeverSample()))
		}
		provider = tp
		otel.SetTracerProvider(tp)
		otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	})
}

// Shutdown exports the spans still buffered; programs call it before they exit.
func Shutdown(ctx context.Context) error {
	if provider == nil {
		return nil
	}
	return provider.Shutdown(ctx)
}

// newProvider builds a provider from the OTEL_* environment.
func newProvider(ctx context.Context) (*sdktrace.TracerProvider, error) {
	exporter, err := newExporter(ctx)
	if err != nil {
		return nil, err
	}
	res, err := resource.Merge(resource.Default(), resource.NewSchemaless(semconv.ServiceName(programName())))
	if err != nil {
		return nil, err
	}
	fromEnv, err := resource.New(ctx, resource.WithFromEnv()) // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win
	if err != nil {
		return nil, err
	}
	if res, err = resource.Merge(res, fromEnv); err != nil {
		return nil, err
	}
	opts := []sdktrace.TracerProviderOption{sdktrace.WithResource(res)}
	if exporter != nil {
		opts = append(opts, sdktrace.WithBatcher(exporter))
	} else {
		opts = append(opts, sdktrace.WithSampler(sdktrace.NeverSample()))
	}
	return sdktrace.NewTracerProvider(opts...), nil
}

// newExporter returns the OTLP exporter the environment asks for, or nil.
// The exporters read the endpoint, headers, timeout and TLS settings from
// the same variables themselves.
func newExporter(ctx context.Context) (sdktrace.SpanExporter, error) {
	if env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT") == "" ||
		strings.EqualFold(os.Getenv("OTEL_SDK_DISABLED"), "true") || os.Getenv("OTEL_TRACES_EXPORTER") == "none" {
		return nil, nil
	}
	switch protocol := env("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"); protocol {
	case "grpc":
		return otlptracegrpc.New(ctx)
	case "", "http/protobuf":
		return otlptracehttp.New(ctx)
	default:
		return nil, fmt.Errorf("tracing: OTLP protocol %q is not supported (grpc or http/protobuf)", protocol)
	}
}

// env returns the first of the variables that is set.
func env(names ...string) string {
	for _, n := range names {
		if v := os.Getenv(n); v != "" {
			return v
		}
	}
	return ""
}

func programName() string {
	name := filepath.Base(os.Args[0])
	return strings.TrimSuffix(name, ".test")
}
