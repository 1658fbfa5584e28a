# mskbench container image: the static binary on distroless/static, which
# holds CA certificates (/etc/ssl/certs/ca-certificates.crt, for TLS to MSK and
# the AWS APIs), tzdata and an /etc/passwd with the nonroot user 65532 — no
# shell, no package manager.
#
#   make image                       # docker build -t mskbench:<commit> .
#   docker buildx build --platform linux/amd64,linux/arm64 -t REPO/mskbench:TAG --push .
#
# Needs a Docker engine with BuildKit (Docker 23 or later). The build stage
# cross-compiles for the target platform, so an arm64 image (Graviton load
# generators) builds on an amd64 machine without emulation.
# deploy/deploy_test.go checks this file (non-root numeric user, CA
# certificates, the entrypoint, a static build of ./cmd/mskbench).

# At least the go directive of go.mod.
ARG GO_VERSION=1.26.8

FROM --platform=$BUILDPLATFORM golang:${GO_VERSION} AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
# Set by BuildKit from --platform; empty (the build machine's) with the legacy builder.
ARG TARGETOS
ARG TARGETARCH
ARG COMMIT=unknown
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -ldflags "-s -w -X main.buildCommit=$COMMIT" -o /out/mskbench ./cmd/mskbench

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/mskbench /usr/local/bin/mskbench
# Numeric, so that Kubernetes can verify runAsNonRoot against the image.
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/mskbench"]
