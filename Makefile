# 优质中小企业梯度培育平台 — `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
APT_PACKAGES := libmagic1 libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk chromium chromium-driver wrk poppler-utils sqlmap nginx-light redis-server
HOST ?= 127.0.0.1
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help system-deps install install-dev migrate demo run test test-fast lint security check-deploy bench bench-home bench-zip bench-pdf bench-recognition bench-calendar bench-scale cluster cluster-stop memo-check load-test faults clean

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}'

system-deps: ## Install the Debian packages the product and its browser tests need (when missing)
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "apt-get install:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt $(VENV)/.installed
	$(PIP) install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

install: $(VENV)/.installed node_modules/.package-lock.json ## Virtualenv, Python packages and front-end assets (npm ci)

install-dev: install $(VENV)/.installed-dev ## install + test and lint tools

migrate: install ## Apply migrations (loads regions and declaration regions)
	$(PY) manage.py migrate --noinput

demo: migrate ## Load demo accounts (DEBUG only) and print the logins
	$(PY) manage.py seed_demo

run: system-deps demo ## Set up and run the whole product at http://127.0.0.1:8000 (SQLite, demo data)
	@if [ -n "$$REDIS_URL" ]; then \
	  echo "REDIS_URL set: starting a Celery worker and beat"; \
	  $(VENV)/bin/celery -A portal worker -l warning --concurrency 2 & \
	  $(VENV)/bin/celery -A portal beat -l warning & \
	else \
	  echo "No REDIS_URL: the calendar (reminders) runs hourly in-process: manage.py run_calendar --every 3600"; \
	  $(PY) manage.py run_calendar --every 3600 > /dev/null & \
	fi; \
	echo ""; echo "  优质中小企业梯度培育平台: http://$(HOST):$(PORT)/   管理端: http://$(HOST):$(PORT)/admin/"; echo ""; \
	$(PY) manage.py runserver $(HOST):$(PORT)

test: system-deps install-dev ## Set up and run the whole test suite (DATABASE_URL / REDIS_URL pick the services)
	$(PY) manage.py check
	$(VENV)/bin/pytest -p no:cacheprovider $(PYTEST_ARGS)

test-fast: install-dev ## The suite without the browser tests (the inner loop)
	$(VENV)/bin/pytest -p no:cacheprovider -m "not browser" $(PYTEST_ARGS)

lint: install-dev ## ruff
	$(VENV)/bin/ruff check .

security: system-deps install-dev ## bandit (0 medium/high findings left unreviewed) and a bounded sqlmap run (0 injections)
	$(VENV)/bin/bandit -c pyproject.toml -r . --severity-level medium --quiet
	bash .ci/sqlmap.sh

check-deploy: install ## Django's deployment checks with production-like settings
	DEBUG=false SECRET_KEY=check-deploy-$$(head -c 32 /dev/urandom | base64 | tr -dc a-zA-Z0-9) \
	FIELD_ENCRYPTION_KEYS=$$(head -c 32 /dev/urandom | base64 | tr '+/' '-_') \
	FIELD_HASH_KEY=$$(head -c 32 /dev/urandom | base64 | tr '+/' '-_') \
	ALLOWED_HOSTS=zxqy.example.cn $(PY) manage.py check --deploy --fail-level WARNING

bench: install-dev ## Standards engine benchmark (100 000 declarations)
	$(PY) bench/standards_bench.py

bench-home: system-deps install-dev ## Home and announcement list under gunicorn + wrk (10 000 announcements)
	$(PY) bench/home_bench.py

bench-zip: install-dev ## Zip check of a 20 MB zip of 200 PDFs (target < 2 s)
	$(PY) bench/zip_bench.py

bench-pdf: system-deps install-dev ## 申报书 PDF render per tier (target < 2 s)
	$(PY) bench/declaration_pdf_bench.py

bench-recognition: install-dev ## Queue and batch pages, 认定 of 2 000 at 100 000 declarations (≤ 12 queries, < 10 s)
	$(PY) bench/recognition_bench.py

bench-calendar: install-dev ## Daily calendar run over 100 000 recognitions (< 60 s) and a broadcast to 50 000 (< 30 s)
	$(PY) bench/calendar_bench.py

bench-scale: install-dev ## Officials' pages on the database BENCH_DATABASE_URL names (fill it with manage.py generate_load_data; p95 < 100 ms)
	$(PY) bench/scale_bench.py --explain

clean: ## Remove the virtualenv, node_modules, the SQLite database and collected files
	rm -rf $(VENV) node_modules staticfiles db.sqlite3

cluster: system-deps install-dev ## nginx :8480 → 2 gunicorn nodes, 2 Celery workers, beat (PostgreSQL, Redis); Ctrl-C stops
	$(PY) bench/cluster.py up

cluster-stop: ## Stop every process `make cluster` (or bench/cluster.py start) started
	$(PY) bench/cluster.py stop

memo-check: ## On a running cluster: publish/withdraw seen by node B's home page within the second
	$(PY) bench/cluster.py memo-check

LOAD_USERS ?= 50
LOAD_TIME ?= 5m
load-test: install-dev ## locust, headless, against the running cluster: LOAD_USERS (50) for LOAD_TIME (5m); fails on any error or p95 >= 500 ms
	LOAD_USERS=$(LOAD_USERS) LOAD_TIME=$(LOAD_TIME) $(PY) bench/cluster.py load-test

faults: install-dev ## The fault runs against a cluster they start themselves (bench/faults.py all)
	$(PY) bench/faults.py all
