# Rostra: `make run` to try it, `make test` to test it. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PYTEST_ARGS ?= -n 2

.PHONY: run test install install-dev chromium lint bench-timeline bench-feeds bench-coordination clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

## make run: install, migrate the embedded database, seed the demo once, serve on :8000
run: install
	$(BIN)/rostra migrate --no-input -v 0
	$(BIN)/rostra demo
	$(BIN)/rostra serve --host 127.0.0.1 --port 8000

## Debian's Chromium for the real-browser tests (Playwright never downloads one)
chromium:
	@[ -x /usr/bin/chromium ] || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

lint: install-dev
	$(BIN)/ruff check rostra tests bench

## make test: dev dependencies, Chromium, lint, then the whole suite
test: install-dev chromium lint
	ROSTRA_DATA_DIR=$$(mktemp -d) $(BIN)/pytest $(PYTEST_ARGS)

bench-timeline: install
	$(BIN)/python bench/timeline.py

bench-feeds: install
	$(BIN)/python bench/feeds.py

## our coordination detector beside coordination-network-toolkit (a dev dependency)
bench-coordination: install-dev
	$(BIN)/python bench/coordination.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
