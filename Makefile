# The two commands of the README. Both install what is missing first (scripts/setup.sh).
.PHONY: setup build run test test-rust test-e2e fmt lint coverage build-cuda link-cuda cuda-dist

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

# The server's integration tests run a second time on PostgreSQL (a throw-away cluster),
# with the same packages and features (another set would compile app and server again).
CRATES = -p models -p neural -p ensemble -p app -p server --features app/ssr
test-rust:
	cargo test --release --no-fail-fast $(CRATES)
	./scripts/with-postgres.sh cargo test --release --no-fail-fast $(CRATES) --test it

test-e2e:
	node --test end2end/autobet/
	cd end2end && npx playwright test

fmt:
	cargo fmt --all

# Line and region coverage per crate by the whole Rust suite (cargo-llvm-cov, installed on
# first use); HTML in target/llvm-cov/html. Not in CI: it builds everything a second time,
# instrumented (README, "Coverage").
coverage: setup
	./scripts/coverage.sh

# What CI checks before the tests: module cycles and sizes, formatting, clippy with warnings as errors on every
# crate and target it builds (the server side; the wasm side is the same code under hydrate), and the
# dependency policy (deny.toml: licenses, banned crates, sources; advisories: see the README).
lint: setup
	python3 scripts/check-structure.py
	cargo fmt --all --check
	cargo clippy --release --all-targets -p models -p ensemble -p neural -p app -p server --features app/ssr -- -D warnings
	cargo deny check --hide-inclusion-graph --show-stats bans licenses sources

# The CUDA build, offline (scripts/cuda-llvm.sh provides the static LLVM burn-cuda links
# against). CUDARC_CUDA_VERSION: the newest CUDA the GPU machine's driver runs (nvidia-smi).
CUDARC_CUDA_VERSION ?= 12080
CUDA_ENV = XDG_DATA_HOME="$$(./scripts/cuda-llvm.sh)" CUDARC_CUDA_VERSION=$(CUDARC_CUDA_VERSION)

# `jetx` with `--features cuda` in target/cuda/release/jetx (its own target directory, so
# the CPU build stays as it is).
build-cuda: setup
	$(CUDA_ENV) cargo build --release --target-dir target/cuda -p server --features cuda

# What a lent GPU machine needs (it reaches no network): the stripped CUDA gpu-check,
# compressed, and the NVRTC runtime wheel, in dist/cuda (scripts/gpu-check.sh uses them).
cuda-dist: link-cuda
	mkdir -p dist/cuda
	strip -o dist/cuda/gpu-check target/cuda/release/gpu-check
	xz -9 -f dist/cuda/gpu-check
	python3 -m pip download --quiet --no-deps -d dist/cuda "nvidia-cuda-nvrtc-cu12==12.8.*"
	ls -la dist/cuda

# What CI keeps linking: the networks' CUDA build and its check binary, and how it behaves
# on this machine (no GPU: cuda refused with the reason, auto on the CPU).
link-cuda: setup
	$(CUDA_ENV) cargo build --release --target-dir target/cuda -p neural --features cuda --bin gpu-check
	./scripts/check-cuda.sh target/cuda/release/gpu-check
