# The two commands of the README. Both install what is missing first (scripts/setup.sh).
.PHONY: setup build run test test-rust test-e2e fmt lint

setup:
	./scripts/setup.sh

build: setup
	./scripts/build-site.sh

run: build
	./target/release/jetx serve

# Rust tests reuse the release build (made together with the server binary, so every
# dependency is compiled once); browser tests start their own servers.
test: setup
	JETX_BUILD_TESTS=1 ./scripts/build-site.sh
	$(MAKE) test-rust test-e2e

test-rust:
	cargo test --release --no-fail-fast -p models -p neural -p ensemble -p app -p server --features app/ssr

test-e2e:
	node --test end2end/autobet/
	cd end2end && npx playwright test

fmt:
	cargo fmt --all

# What CI checks before the tests: module cycles and sizes, formatting, and clippy with warnings as errors on every
# crate and target it builds (the server side; the wasm side is the same code under hydrate).
lint: setup
	python3 scripts/check-structure.py
	cargo fmt --all --check
	cargo clippy --release --all-targets -p models -p ensemble -p neural -p app -p server --features app/ssr -- -D warnings

# Type-checks the CUDA build of the networks (it cannot link offline: see the README).
check-cuda:
	DOCS_RS=1 cargo check -p neural --features cuda
