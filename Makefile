# Rostra: `make run` to try it, `make test` to test it. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PYTEST_ARGS ?= -n 2

.PHONY: run test install install-dev chromium lint messages bench-timeline bench-feeds bench-coordination bench-load clean

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

## translations: collect new strings into rostra/locale/*/django.po (GNU gettext), and
## compile the .mo files the server reads (committed, so installs need no gettext)
LANGS := bg cs da de el es et fi fr ga hr hu it lt lv mt nl pl pt ro sk sl sv
messages: install
	cd rostra && ../$(BIN)/rostra manage makemessages --no-obsolete --no-wrap --add-location=file \
		$(foreach l,$(LANGS),-l $(l)) --ignore='*/static/*'
	cd rostra && ../$(BIN)/rostra manage compilemessages

bench-timeline: install
	$(BIN)/python bench/timeline.py

bench-feeds: install
	$(BIN)/python bench/feeds.py

## our coordination detector beside coordination-network-toolkit (a dev dependency)
bench-coordination: install-dev
	$(BIN)/python bench/coordination.py

## 200 simulated users for 5 minutes against rostra serve + worker (bench/load.py)
bench-load: install
	$(BIN)/python bench/load.py $(LOAD_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
