# syntax=docker/dockerfile:1

# One image per component, all from this file:
#
#   docker build --build-arg COMPONENT=catalog -t ghcr.io/jangteo/catalog:dev .
#
# COMPONENT is one of identity, catalog, cart, order, payment, community,
# gateway. The result is a static binary on distroless, running as the
# nonroot user (65532); the Helm chart in deploy/k8s runs it with no args and
# the services' migration Jobs with args ["migrate"].

ARG GO_VERSION=1.26

FROM golang:${GO_VERSION} AS build
ARG COMPONENT
WORKDIR /src
# The whole repository: go.work ties the modules together, so the build sees
# the same platform/, gen/go and service modules as `go build` on a laptop.
COPY . .
# grpcnotrace leaves out gRPC's golang.org/x/net/trace (grpc.EnableTracing,
# never set): it pulls in html/template, whose reflection keeps every exported
# method in the link, ~6 MB of code and tables and ~4 MiB of resident memory
# in the services that have no templates of their own (scripts/rss builds
# with these flags too).
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    set -eu; \
    case "${COMPONENT:-}" in \
      identity|catalog|cart|order|payment|community) pkg="./services/${COMPONENT}/cmd/${COMPONENT}" ;; \
      gateway) pkg="./gateway/cmd/gateway" ;; \
      *) echo "build arg COMPONENT must be one of identity, catalog, cart, order, payment, community, gateway (got '${COMPONENT:-}')" >&2; exit 1 ;; \
    esac; \
    CGO_ENABLED=0 go build -tags grpcnotrace -trimpath -buildvcs=false -ldflags='-s -w' -o /out/app "$pkg"

FROM gcr.io/distroless/static-debian12:nonroot
ARG COMPONENT
LABEL org.opencontainers.image.title="jangteo-${COMPONENT}" \
      org.opencontainers.image.source="https://github.com/jangteo/jangteo"
COPY --from=build /out/app /app
USER 65532:65532
ENTRYPOINT ["/app"]
