# ostui — the two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
GO ?= go
DEVTOOLS := -modfile=internal/devtools/go.mod
BIN := bin/ostui
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X github.com/kriscelmer/os-tui/internal/cli.version=$(VERSION)
COVER_FLOOR ?= 60

.PHONY: build run test test-race test-short cover lint vet fmt bench bench-go bench-swift os-bench e2e devcloud devcloud-down devcloud-status fuzz vuln man release clean help

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | column -t -s $$'\t'

build: ## build bin/ostui
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/ostui

run: build ## open the shell (offers a local devcloud when no cloud is configured)
	@bash scripts/run $(BIN) $(ARGS)

# Packages that start goroutines or guard state with locks: their tests run
# again under the race detector (the rest gain nothing from it, and -race
# over everything would push make test past ten minutes on two cores).
RACE_PKGS := ./agent/executor ./agent/gate ./agent/llm ./agent/planner ./agent/session \
	./internal/audit ./internal/cli ./internal/cloud ./internal/llm/llmtest ./internal/mcpserver \
	./internal/osbench ./internal/render/markdown ./internal/repl ./tools/...

test: ## vet, every unit and transcript test with coverage, then the concurrent packages under -race
	@bash scripts/test-deps
	$(GO) vet ./...
	@mkdir -p .tmp
	$(GO) tool $(DEVTOOLS) gotestsum --format pkgname-and-test-fails -- -count=1 -coverprofile=.tmp/coverage.out ./...
	@bash scripts/coverage .tmp/coverage.out $(COVER_FLOOR)
	$(MAKE) --no-print-directory test-race
	@# The patched bubbletea copy (ADR 0017) is its own module: ./... skips it.
	cd third_party/bubbletea && $(GO) test -race -count=1 ./...

test-race: ## the concurrent packages' tests under the race detector
	$(GO) tool $(DEVTOOLS) gotestsum --format pkgname-and-test-fails -- -race -count=1 $(RACE_PKGS)

test-short: ## run the unit tests without vet or coverage
	$(GO) test ./...

lint: ## gofmt, go vet, golangci-lint (with gosec) and go mod tidy
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo 'gofmt: files above need formatting'; exit 1; }
	$(GO) vet ./...
	$(GO) tool $(DEVTOOLS) golangci-lint run ./...
	@$(GO) mod tidy -diff || { echo 'go.mod/go.sum are not tidy: run go mod tidy'; exit 1; }
	@cd internal/devtools && $(GO) mod tidy -diff || { echo 'internal/devtools/go.mod is not tidy: run go mod tidy there'; exit 1; }

vuln: ## govulncheck
	$(GO) tool $(DEVTOOLS) govulncheck ./...

fuzz: ## fuzz the slash parser and the config loader for 30 s each
	$(GO) test ./agent/router -run '^$$' -fuzz FuzzRoute -fuzztime 30s
	$(GO) test ./internal/config -run '^$$' -fuzz FuzzLoad -fuzztime 30s

bench: build ## benchmarks: Go micro-benchmarks, then whole commands (scripts/bench)
	$(GO) test -run '^$$' -bench . -benchmem ./...
	bash scripts/bench $(BIN)

bench-swift: build ## Swift throughput and memory for a 1 GiB file vs openstack and swift (devcloud; SIZE_MB, ROUNDS)
	bash scripts/bench-swift $(BIN)

os-bench: build ## model benchmark on the devcloud: pass@1, pass^k, tokens, cost, latency, unsafe actions; report.json (BENCH_ARGS=--scripted for the scripted model, see docs/os-bench.md)
	$(GO) run ./cmd/osbench --ostui $(BIN) $(BENCH_ARGS)

release: ## cross-build linux and darwin (amd64, arm64) archives with SHA256SUMS into dist/ (VERSION from the git tag, or VERSION=v1.2.3)
	bash scripts/release $(if $(filter command line environment,$(origin VERSION)),$(VERSION))

e2e: build ## bring the devcloud up if needed, then run the real-cloud suite
	bash scripts/e2e $(BIN)

devcloud: ## bring up a real OpenStack on 127.0.0.1 (root, Debian 12)
	bash scripts/devcloud/up.sh

devcloud-down: ## stop the devcloud's processes
	bash scripts/devcloud/down.sh

devcloud-status: ## show what the devcloud runs
	bash scripts/devcloud/status.sh

man: ## write docs/ostui.1 from the help text (a test fails when it is stale)
	$(GO) test ./internal/cli -run '^TestManPageIsUpToDate$$' -update-man -count=1

clean: ## remove build output
	rm -rf bin .tmp
