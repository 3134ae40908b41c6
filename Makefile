# Jangteo — thin wrappers over go and buf. `make run` starts everything,
# `make test` checks everything.

SHELL := /bin/bash
MODULES := $(shell go work edit -json | sed -n 's/.*"DiskPath": "\.\/\(.*\)".*/\1/p')
GO_TEST_FLAGS ?= -count=1
# platform/ and the services, where the concurrency is, run under the race
# detector; cmd/jangteo, gateway, deploy, gen and tools run without it (their
# tests drive whole systems, where it would cost minutes and find nothing the
# module's own tests do not). RACE_FLAGS= turns it off.
RACE_MODULES := platform $(filter services/%,$(MODULES))
RACE_FLAGS ?= -race

.PHONY: run test test-cluster build generate check-generated openapi-ts lint vet bench load fmt fuzz rss

## run: all services + gateway on :8080 with embedded NATS, a private PostgreSQL and demo data
run:
	@echo "==> building bin/jangteo (the first build downloads the Go modules and compiles every service: a few minutes)"
	@set -o pipefail; go build -v -o bin/jangteo ./cmd/jangteo 2>&1 | awk '/^[A-Za-z0-9._~\/-]+$$/ {n++; if (n % 50 == 0) printf "    %d packages compiled\n", n; next} {print} END {if (n) printf "    %d packages compiled\n", n}'
	@exec bin/jangteo dev $(ARGS)

## test: generated code is fresh, then every module's tests against real PostgreSQL and NATS
## (platform/ and services/* with -race), summarised by tools/testsum (packages, failures in
## full, a count of tests)
test: check-generated
	@set -o pipefail; for m in $(MODULES); do \
		flags="$(GO_TEST_FLAGS)"; \
		case " $(RACE_MODULES) " in *" $$m "*) flags="$$flags $(RACE_FLAGS)";; esac; \
		(cd $$m && go test $$flags -json ./... 2>&1); \
	done | go run ./tools/testsum

## test-cluster: events on a 3-server NATS JetStream cluster, two producer and two consumer
## replicas; a server and a replica of each die mid-flow; every event applied once, in order
test-cluster:
	cd platform && go test $(GO_TEST_FLAGS) -run '^TestCluster$$' -v ./events

## build: every module's packages and commands (`go build ./...` at the root sees only the root)
build:
	@set -e; for m in $(MODULES); do (cd $$m && go build ./...); done

## generate: regenerate gen/go and gen/openapi from proto/ (Swagger 2.0 from buf, then the
## OpenAPI 3.1 document the gateway serves, completed from the .proto options)
generate:
	go tool buf generate
	go run ./tools/openapi3 -in gen/openapi/jangteo.swagger.json -out gen/openapi/jangteo.openapi.json

## check-generated: fail when gen/ differs from what proto/ generates
check-generated:
	@tmp=$$(mktemp -d); trap 'rm -rf $$tmp' EXIT; \
	go tool buf generate -o $$tmp; \
	go run ./tools/openapi3 -in $$tmp/gen/openapi/jangteo.swagger.json -out $$tmp/gen/openapi/jangteo.openapi.json; \
	for f in $$(cd $$tmp && find gen -type f); do \
		cmp -s $$tmp/$$f $$f || { echo "stale generated file: $$f (run make generate)"; exit 1; }; \
	done; \
	for f in $$(find gen -type f \( -name '*.pb.go' -o -name '*.pb.gw.go' -o -name '*.swagger.json' -o -name '*.openapi.json' \)); do \
		[ -f $$tmp/$$f ] || { echo "generated file without a proto: $$f (run make generate)"; exit 1; }; \
	done

## openapi-ts: generate a TypeScript client from the OpenAPI document (openapi-typescript from
## npm) and type-check a sample of frontend calls against it
openapi-ts:
	cd tools/openapi-ts && npm ci --no-audit --no-fund && npm run check

## lint: buf lint (STANDARD) and go vet on every module
lint: vet
	go tool buf lint

vet:
	@set -e; for m in $(MODULES); do (cd $$m && go vet ./...); done

fmt:
	gofmt -l -w $$(git ls-files '*.go' | grep -v '^gen/')

## load: full purchases against a started system (make run); ARGS="-buyers 20 -purchases 400 -base http://localhost:8080"
load:
	@cd services/order && go run ./load $(ARGS)

## fuzz: every operation of /openapi.json with bad inputs, as every role, against the running system; fails on any 5xx
fuzz:
	cd cmd/jangteo && go test -count=1 -run TestFuzzOpenAPI -v . | grep -E '^(---|ok|FAIL)|requests in|fuzz_test'

## bench: benchmarks with printed reports
bench:
	@set -e; for m in $(MODULES); do (cd $$m && go test -run '^$$' -bench . -benchmem ./...); done

## rss: resident memory of jangteo dev (fresh, with demo data, and restarted) and of each standalone service, idle
rss:
	@scripts/rss
