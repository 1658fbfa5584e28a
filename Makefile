# mskbench — thin targets; CI runs `make test` through .ci/run.
GO        ?= go
BIN       := bin/mskbench
PKGS      := ./...
COMMIT    := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
VERSION   := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X main.buildCommit=$(COMMIT) -X main.version=$(VERSION)
BENCHTIME ?= 1s
IMAGE     ?= mskbench:$(COMMIT)

.PHONY: all build run test race sleep-control-tests vet fmt-check check-deps bench bench-e2e cover soak image screenshots fp-rate clean

all: build

## build: the static binary in bin/mskbench
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/mskbench

## run: the quick-start scenario on the embedded in-process cluster
run: build
	./$(BIN) run quickstart

## test: everything CI checks — vet, formatting, package boundaries, the race-enabled suite,
## and the tests that use kfake's SleepControl (skipped under -race, see internal/embedded)
test: vet fmt-check check-deps race sleep-control-tests

## race: the whole test suite with the race detector
race:
	$(GO) test -race -count=1 -timeout 20m $(PKGS)

## sleep-control-tests: the tests named TestSleepControl* (they use kfake's SleepControl,
## skipped under -race; embedded.SkipSleepControlUnderRace fails a test using it under another name)
sleep-control-tests:
	$(GO) test -count=1 -run '^TestSleepControl' $$(grep -rl --include='*_test.go' '^func TestSleepControl' . | xargs -n1 dirname | sort -u)

vet:
	$(GO) vet $(PKGS)

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

## check-deps: every package boundary of docs/architecture.md, checked transitively (go list -deps)
check-deps:
	@bash .ci/check-deps

## bench: Go benchmarks of the per-message path and the renderers
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) ./load/ ./report/ ./scenarios/ ./sizing/

## bench-e2e: max-rate producing against `mskbench broker` in a separate process
bench-e2e: build
	@bash .ci/bench-e2e

## soak: 10 minutes at a fixed rate against `mskbench broker`; prints RSS and goroutines over time (not in CI)
soak: build
	@bash .ci/soak

## screenshots: headless Chromium screenshots (1400 px) of the HTML report of a ramp and a sweep and of a history page, into screenshots/ (not in CI; needs Debian's chromium)
screenshots: build
	@bash .ci/screenshots

## fp-rate: false positives of compare over 7 baselines on 12 identical embedded runs (not in CI; about 4 minutes)
fp-rate: build
	@bash .ci/fp-rate

## cover: test coverage per package
cover:
	$(GO) test -count=1 -coverprofile=cover.out $(PKGS)
	$(GO) tool cover -func=cover.out | tail -n 1

## image: the container image $(IMAGE) from the Dockerfile (needs a Docker engine with BuildKit;
## deploy/deploy_test.go checks the Dockerfile and the static build where there is none)
image:
	docker build --build-arg COMMIT=$(COMMIT) -t $(IMAGE) .

clean:
	rm -rf bin cover.out screenshots fp-rate
