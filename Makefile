# erphub — make help lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

GO        ?= go
TOOL      := $(GO) tool -modfile=go.tool.mod
BIN       := bin
# The local database helper prints a server DSN (no database name); it reuses a server in
# ERP_MYSQL_DSN or on 127.0.0.1:3306, else starts (installing if needed) a private MariaDB
# under .data/.
DBUP      := deploy/local/mariadb.sh
GOOGLEAPIS = $(shell $(GO) mod download -json github.com/grpc-ecosystem/grpc-gateway@v1.16.0 | sed -n 's/.*"Dir": "\(.*\)",/\1/p')
GATEWAYV2  = $(shell $(GO) mod download -json github.com/grpc-ecosystem/grpc-gateway/v2@v2.33.0 | sed -n 's/.*"Dir": "\(.*\)",/\1/p')

.PHONY: help
help: ## show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: build
build: ## build erpd, erpctl and erpbench into bin/
	$(GO) build -trimpath -o $(BIN)/ ./cmd/...

.PHONY: run
run: build ## start a database if needed, migrate, seed demo data once, create the admin once, serve
	@dsn="$${ERP_MYSQL_DSN:-$$($(DBUP))erphub}"; export ERP_MYSQL_DSN="$$dsn"; \
	$(BIN)/erpctl migrate up && \
	$(BIN)/erpctl seed demo --if-empty && \
	$(BIN)/erpctl user ensure-admin && \
	exec $(BIN)/erpd

.PHONY: db
db: ## start (or find) the local database and print its server DSN
	@$(DBUP)

.PHONY: test
test: ## run every test against a real MariaDB (started if none is reachable) hledger and chromium (installed if missing)
	@deploy/local/tools.sh hledger chromium
	@export ERP_TEST_MYSQL_DSN="$$($(DBUP) test)" REQUIRE_HLEDGER=1 REQUIRE_BROWSER=1; \
	$(GO) test -shuffle=on -count=1 -timeout 20m ./...

.PHONY: fuzz
# FUZZTIME is a count of executions (Nx) by default: with a duration, Go 1.26's fuzzing
# coordinator can report a spurious "context deadline exceeded" at the deadline on a busy
# machine (golang/go#75804, fixed in Go 1.27); a count has no deadline to race.
fuzz: ## run every fuzz target briefly (FUZZTIME, default 200000x executions each)
	@for t in $$(grep -rhoE '^func Fuzz[A-Za-z0-9_]+' --include='*_test.go' internal services | sed 's/func //'); do \
	  pkg=$$(grep -rlE "^func $$t\(" --include='*_test.go' internal services | xargs -n1 dirname | head -1); \
	  echo "fuzz $$t in ./$$pkg"; \
	  $(GO) test -run='^$$' -fuzz="^$$t$$" -fuzztime=$${FUZZTIME:-200000x} ./$$pkg || exit 1; \
	done

.PHONY: bench
bench: build ## measure throughput and latency against a fresh database (prints a table)
	@export ERP_BENCH_MYSQL_DSN="$${ERP_BENCH_MYSQL_DSN:-$${ERP_MYSQL_DSN:-$$($(DBUP))}}"; \
	$(BIN)/erpbench -erpd $(BIN)/erpd $(BENCHFLAGS)

.PHONY: proto-deps
proto-deps: ## copy google/api and openapiv2 option protos from Go modules into third_party/proto
	@rm -rf third_party/proto && mkdir -p third_party/proto/google/api third_party/proto/protoc-gen-openapiv2/options
	@cp $(GOOGLEAPIS)/third_party/googleapis/google/api/{annotations,http,httpbody}.proto third_party/proto/google/api/
	@cp $(GATEWAYV2)/protoc-gen-openapiv2/options/{annotations,openapiv2}.proto third_party/proto/protoc-gen-openapiv2/options/
	@chmod -R u+w third_party/proto

.PHONY: generate
generate: proto-deps ## regenerate api/ from proto/ (offline)
	@rm -rf api/erp api/openapi/erphub.swagger.json
	$(TOOL) buf generate

.PHONY: drift
drift: generate ## fail when regenerating changes anything
	@git add -N api >/dev/null 2>&1 || true
	@if ! git diff --quiet --exit-code -- api; then git --no-pager diff --stat -- api; echo "generated code is out of date: run make generate and commit"; exit 1; fi

.PHONY: lint
lint: proto-deps ## go vet, gofmt, staticcheck, buf lint
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go' | grep -v '^api/')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(TOOL) buf lint
	$(TOOL) staticcheck ./...

.PHONY: clean
clean: ## remove build output (keeps the local database)
	rm -rf $(BIN)

.PHONY: db-stop
db-stop: ## stop the private MariaDB started under .data/
	@$(DBUP) stop
