# Jangteo — thin wrappers over go and buf. `make run` starts everything,
# `make test` checks everything.

SHELL := /bin/bash
MODULES := $(shell go work edit -json | sed -n 's/.*"DiskPath": "\.\/\(.*\)".*/\1/p')
GO_TEST_FLAGS ?= -count=1

.PHONY: run test test-cluster generate check-generated lint vet bench fmt

## run: all services + gateway on :8080 with embedded NATS, a private PostgreSQL and demo data
run:
	@go build -o bin/jangteo ./cmd/jangteo && exec bin/jangteo dev $(ARGS)

## test: generated code is fresh, then every module's tests against real PostgreSQL and NATS
test: check-generated
	@set -o pipefail; log=$$(mktemp); trap 'rm -f $$log' EXIT; failed=0; \
	for m in $(MODULES); do \
		echo "== $$m"; (cd $$m && go test $(GO_TEST_FLAGS) ./... 2>&1) | tee -a $$log || failed=1; \
	done; \
	echo "packages: $$(grep -c '^ok' $$log) passed, $$(grep -c '^FAIL\s' $$log) failed"; \
	exit $$failed

## test-cluster: events on a 3-server NATS JetStream cluster, two producer and two consumer
## replicas; a server and a replica of each die mid-flow; every event applied once, in order
test-cluster:
	cd platform && go test $(GO_TEST_FLAGS) -run '^TestCluster$$' -v ./events

## generate: regenerate gen/go and gen/openapi from proto/
generate:
	go tool buf generate

## check-generated: fail when gen/ differs from what proto/ generates
check-generated:
	@tmp=$$(mktemp -d); trap 'rm -rf $$tmp' EXIT; \
	go tool buf generate -o $$tmp; \
	for f in $$(cd $$tmp && find gen -type f); do \
		cmp -s $$tmp/$$f $$f || { echo "stale generated file: $$f (run make generate)"; exit 1; }; \
	done; \
	for f in $$(find gen -type f \( -name '*.pb.go' -o -name '*.pb.gw.go' -o -name '*.swagger.json' \)); do \
		[ -f $$tmp/$$f ] || { echo "generated file without a proto: $$f (run make generate)"; exit 1; }; \
	done

## lint: buf lint (STANDARD) and go vet on every module
lint: vet
	go tool buf lint

vet:
	@set -e; for m in $(MODULES); do (cd $$m && go vet ./...); done

fmt:
	gofmt -l -w $$(git ls-files '*.go' | grep -v '^gen/')

## bench: benchmarks with printed reports
bench:
	@set -e; for m in $(MODULES); do (cd $$m && go test -run '^$$' -bench . -benchmem ./...); done
