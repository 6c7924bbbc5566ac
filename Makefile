# twin: two commands, `make run` and `make test`; each sets up the environment on first use.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
.DEFAULT_GOAL := help

# The ROS 2 Jazzy wheels exist for CPython 3.11 and 3.12; a sourced distribution brings its own.
PYTHON ?= $(shell command -v python3.11 || command -v python3.12 || command -v python3)
PACKAGE_PATHS := --base-paths src tests
ENV := . tools/env.sh &&
COLCON_BUILD := colcon build $(PACKAGE_PATHS) --event-handlers console_cohesion- summary+
# `make run` rebuilds only when a source changed since the last build: this stamp is newer
# than every file colcon installs from (and than the environment). Sources: what git tracks
# or would track (not caches), else every file.
BUILD_STAMP := install/.twin-build.stamp
SOURCE_DIRS := src tests launch config urdf worlds
SOURCES := $(wildcard $(shell git ls-files -co --exclude-standard $(SOURCE_DIRS) 2>/dev/null \
             || find $(SOURCE_DIRS) -type f -not -path '*/__pycache__/*'))

.PHONY: help setup build test run bench clean

help:  ## list the commands
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-6s %s\n", $$1, $$2}'

setup:  ## create or update the environment in .venv (done by the other commands)
	@$(PYTHON) tools/bootstrap.py

build: setup  ## colcon build every package
	@$(ENV) $(COLCON_BUILD) && touch $(BUILD_STAMP)

$(BUILD_STAMP): $(SOURCES) .venv/twin-env.stamp
	@$(ENV) $(COLCON_BUILD) && touch $(BUILD_STAMP)

test: build  ## build, then run every package's tests; non-zero exit on any failure
	@$(ENV) . install/local_setup.bash && \
	  colcon test $(PACKAGE_PATHS) --event-handlers console_cohesion+ summary+ \
	    --return-code-on-test-failure; status=$$?; \
	  colcon test-result --verbose || status=1; \
	  python tools/test_summary.py build || status=1; \
	  exit $$status

run: setup $(BUILD_STAMP)  ## bring up the twin (Ctrl-C stops it); options: make run ARGS=--help
	@$(ENV) . install/local_setup.bash && twin run $(ARGS)

bench: build  ## benchmarks (not tests): the core's micro-benchmark, then every scenario
	@mkdir -p artifacts && $(ENV) . install/local_setup.bash && \
	  python -m twin_sim.benchmark urdf/twin_burger.urdf.xacro worlds/arena.yaml --json artifacts/bench_core.json && \
	  twin bench --json artifacts/bench.json --markdown docs/benchmarks.md

clean:  ## remove build outputs (keeps .venv)
	rm -rf build install log
