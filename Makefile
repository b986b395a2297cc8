# Steward: the two commands for a new machine are `make run` and `make test`.
# Every install step checks first and does nothing when the tool is already there.

SHELL := /bin/bash
# cargo's tools, and wasm-opt from Steward's tool directory (see scripts/install-tools.sh).
export PATH := $(HOME)/.cache/steward/tools/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)

# Build output; CI points CARGO_TARGET_DIR at a directory that outlives the checkout.
TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)

# `make run` settings; override on the command line, e.g. `make run DATABASE_URL=postgres://…`.
DATABASE_URL ?= sqlite://data/steward.db
STEWARD_BIND ?= 127.0.0.1:3000

.PHONY: run test tools test-tools postgres build-release lint rust-tests e2e bench sizes dev fuzz chaos

## Build a release and serve Steward on SQLite against the built-in Webex sandbox.
run: build-release
	@echo "Steward runs at http://$(STEWARD_BIND) (Ctrl-C stops it)"
	STEWARD_SANDBOX=true DATABASE_URL='$(DATABASE_URL)' STEWARD_BIND='$(STEWARD_BIND)' \
		LEPTOS_SITE_ROOT=target/site $(TARGET_DIR)/release/steward serve

build-release:
	scripts/build.sh --release

## Everything CI checks: formatting, lints, Rust tests on SQLite and PostgreSQL, Playwright.
test: lint rust-tests e2e

tools:
	scripts/install-tools.sh

test-tools:
	scripts/install-tools.sh --test

postgres:
	scripts/ensure-postgres.sh

lint: tools
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy -p app --lib --target wasm32-unknown-unknown --features hydrate \
		--target-dir $(TARGET_DIR)/front -- -D warnings

rust-tests: postgres
	cargo test --workspace

## Playwright runs against the release build: the bundle people get, wasm-opt included.
e2e: test-tools build-release
	cd end2end && { STEWARD_E2E_BIN='$(TARGET_DIR)/release/steward' npx playwright test; status=$$?; node summary.mjs; exit $$status; }

## Longer fuzzing than `make test` does: 100,000 cases per property instead of 256.
fuzz:
	PROPTEST_CASES=100000 cargo test --release -p domain --test fuzz

## Longer chaos than `make test` does: `steward serve` killed with SIGKILL 50 times under signed
## load on each backend instead of 10.
chaos: postgres
	STEWARD_CHAOS_KILLS=50 cargo test -p server --test it -- faults::killing --nocapture

## The runtime benchmarks: each figure beside a baseline measured in the same run.
bench: postgres
	cargo bench -p server --bench runtime
	cargo bench -p domain --bench audit

## The size-and-time report: bundle and binary bytes, start-up to /readyz on an empty database
## and on one with a million audit entries, and a first visit's bytes and time to hydration.
sizes: test-tools build-release
	cargo bench -p domain --bench sizes
	cd end2end && STEWARD_PERF=1 STEWARD_E2E_BIN='$(TARGET_DIR)/release/steward' npx playwright test --reporter=list

## Day-to-day development: a debug build in sandbox mode, rebuilt and restarted on every change.
dev:
	scripts/install-tools.sh --dev
	scripts/dev.sh
