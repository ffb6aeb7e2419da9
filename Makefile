# The two set-up commands of the README: `make serve` (the site) and `make test` (everything).
SHELL := /bin/bash
PY := .venv/bin/python
PIP := .venv/bin/pip
# The lab's packages only when the lab is used: a GitHub runner (DOCS_DOCKER=own) has its own Docker.
# npm comes with NodeSource's nodejs; Debian's nodejs needs its own npm package.
APT_SITE := python3-venv curl ca-certificates chromium librsvg2-bin fonts-noto-cjk nodejs \
	$(if $(shell command -v npm),,npm)
APT_LAB := docker.io docker-registry mmdebstrap iptables iproute2 util-linux tini
PYTEST_WORKERS ?= 2
DOCS_DOCKER ?= lab
export DOCS_DOCKER
export NO_MKDOCS_2_WARNING := 1
APT_PACKAGES := $(APT_SITE) $(if $(filter lab,$(DOCS_DOCKER)),$(APT_LAB))

.PHONY: serve site site-assets test docstrings test-engines test-upstream test-lab-lifecycle test-repeat lab lab-down lab-clean lab-status deps apt apt-site venv \
	bench bench-stores bench-lab bench-output bench-site update-docs images lint screenshot clean

## Site
# Served at the root of 127.0.0.1:8000, not under the GitHub Pages path of site_url.
serve: apt-site venv site-assets
	DOCS_SITE_URL=http://127.0.0.1:8000/ .venv/bin/mkdocs serve --dev-addr 127.0.0.1:8000 --livereload

site: apt-site venv site-assets
	.venv/bin/mkdocs build --strict

# Mermaid and the terminal player are served from the site itself (no CDN): npm puts them in
# the cache, hooks ship them (mermaid_local.py, recordings.py). axe-core is for the site tests
# (tests/site/test_accessibility.py), never shipped. One npm command installs them all: a
# --no-save install removes what it was not asked for.
MERMAID := .cache/npm/node_modules/mermaid/dist/mermaid.min.js
AXE := .cache/npm/node_modules/axe-core/axe.min.js
PLAYER := .cache/npm/node_modules/asciinema-player/dist/bundle/asciinema-player.min.js
NPM_PACKAGES := mermaid@11.17.2 axe-core@4.14.1 asciinema-player@3.18.0
site-assets: venv $(MERMAID) $(AXE) $(PLAYER)

$(MERMAID) $(AXE) $(PLAYER):
	npm install --prefix .cache/npm --no-save --no-audit --no-fund --loglevel=error $(NPM_PACKAGES)

# Lighthouse for `make bench-site` only (the tests and CI do not need its 200 packages), into
# the same cache beside the site's, so its install keeps them. 12.8: 13 needs Node 22.
LIGHTHOUSE := .cache/npm/node_modules/lighthouse/cli/index.js
$(LIGHTHOUSE):
	npm install --prefix .cache/npm --no-save --no-audit --no-fund --loglevel=error \
		$(NPM_PACKAGES) lighthouse@12.8.2

images:
	images/render.sh

## Tests
# Each stage's wall time goes to the table .ci/run prints at its end (.ci/stages.py; only when
# CI_STAGES names a file, as .ci/run does). The 30 slowest tests are listed after the run: where
# CI's time goes (issue 25's budget).
STAGE = python3 .ci/stages.py run
test:
	$(STAGE) set-up -- $(MAKE) deps site-assets
	$(STAGE) lab -- $(MAKE) lab
	$(STAGE) lint -- $(MAKE) lint docstrings
	$(STAGE) tests -- $(PY) -m pytest -n $(PYTEST_WORKERS) --durations=30 --ignore=tests/lab_lifecycle
	$(STAGE) lifecycle -- $(MAKE) test-lab-lifecycle

# The examples in the Python packages' docstrings (pytest-markdown-docs). Pages are not its
# business: they stay Sybil's (no *.md here), and the run above has no --markdown-docs.
docstrings: venv
	$(PY) -m pytest -p no:xdist -o pythonpath=hooks --markdown-docs --ignore-glob='*.md' \
		--ignore=lab/recipes docharness hooks lab

# Runs last and alone: it takes the lab down and up again.
test-lab-lifecycle:
ifeq ($(DOCS_DOCKER),lab)
	$(PY) -m pytest tests/lab_lifecycle -p no:xdist
endif

# Every page on each lab engine: bookworm (20.10), trixie (26.1), sid (28.5 on the classic image
# store), then sid-containerd (28.5 on the containerd image store: the default, as Engine 29
# installs it, last so the lab is left on it);
# report/test-engines.json keeps each block's result per engine.
test-engines: deps site-assets lab
ifeq ($(DOCS_DOCKER),lab)
	$(PY) -m docharness.matrix
else
	@echo "test-engines: DOCS_DOCKER=$(DOCS_DOCKER): the engine matrix needs the lab"
endif

# The flaky-test hunt: the site and harness tests (not the pages) N times, as the CI runs them
# (PYTEST_WORKERS workers) beside a CPU-bound process; stops at the first failing run and keeps
# its output in artifacts/repeat/. `make test-repeat N=3 REPEAT=tests/site` needs no lab.
N ?= 5
REPEAT ?= tests --ignore=tests/lab_lifecycle
test-repeat: deps site-assets $(if $(filter tests/site,$(REPEAT)),,lab)
	$(PY) -m docharness.repeat --runs $(N) --workers $(PYTEST_WORKERS) $(REPEAT)

# The pages in own mode, what differs kept for the site (docharness/upstream.py): on the GitHub
# runner (DOCS_DOCKER=own) against its Docker and the real registries; here against the lab's
# first daemon, so every CI run goes through the same path. Writes report/upstream.json.
test-upstream: deps lab
	$(PY) -m docharness.upstream $(PAGES)

update-docs: venv lab
	$(PY) -m pytest -p no:xdist --update-docs $(PAGES)

## Lab
lab: deps
ifeq ($(DOCS_DOCKER),lab)
	$(PY) -m lab up
	$(PY) -m docharness.runs
else
	@echo "lab: DOCS_DOCKER=$(DOCS_DOCKER): using your own Docker ($${DOCKER_HOST:-the default socket})"
endif

lab-down:
	@if [ -x $(PY) ]; then $(PY) -m lab down; else echo "lab: nothing to stop"; fi

# lab-down keeps the machine-wide engine cache (LAB_CACHE, /var/cache/doclab for root); this
# removes it too.
lab-clean:
	@if [ -x $(PY) ]; then $(PY) -m lab clean; else echo "lab: nothing to stop"; fi

lab-status: venv
	$(PY) -m lab status

## Set-up: Debian packages, then the virtualenv (each only when missing)
deps: apt venv

# Installs the Debian packages of $(1) that are missing (root only when some are).
define apt_install
	@missing=$$(for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" != 0 ]; then echo "deps: need root to apt-get install $$missing"; exit 1; fi; \
		echo "deps: apt-get install $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
endef

apt:
	$(call apt_install,$(APT_PACKAGES))

# What `make serve` and `make site` need on a fresh machine: the site's packages only.
apt-site:
	$(call apt_install,$(APT_SITE))

venv: .venv/.installed

.venv/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv .venv
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[dev]'
	touch $@

## Benchmarks (figures, not tests)
bench: venv lab
	$(PY) bench/run_bench.py

# The harness on the pages (PAGES picks some) on the containerd image store and on the classic
# one (lab engines sid-containerd and sid, switched as test-engines switches them): per-page and
# total medians of each and the ratio containerd / classic (issue 21's 10% budget).
bench-stores: venv lab
ifeq ($(DOCS_DOCKER),lab)
	$(PY) bench/store_bench.py $(PAGES)
else
	@echo "bench-stores: DOCS_DOCKER=$(DOCS_DOCKER): switching image stores needs the lab"
endif

bench-lab: venv
	$(PY) bench/lab_bench.py

# One command's output of 6.25 to 50 MB read and checked (the goal: 50 MB in under 5 s).
bench-output: venv
	$(PY) bench/output_bench.py

lint: venv
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy
	.venv/bin/lint-imports
	.venv/bin/actionlint .github/workflows/*.yml

clean:
	rm -rf site report artifacts .pytest_cache

bench-site: venv site-assets $(LIGHTHOUSE)
	$(PY) bench/site_bench.py

# The README's screenshot (images/screenshot.png): run after `make test` so badges show results.
screenshot: venv site-assets
	$(PY) tests/site/screenshot.py
