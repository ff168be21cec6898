# The README's two commands: `make run` and `make test`. Each works on a fresh machine with only
# Python 3.11 and make.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# `make run` is a local demo: DEBUG on, development secrets, SQLite unless DATABASE_URL says.
DEV_ENV := DEBUG=true

.PHONY: run test lint check-deploy messages mutate mutate-sample clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(DEV_ENV) $(PY) manage.py migrate --noinput
	$(DEV_ENV) $(PY) manage.py seed_demo
	$(DEV_ENV) $(PY) manage.py runserver 127.0.0.1:8000

# The suite runs on one process per core (pytest-xdist, JOBS=auto), the browser tests together
# in one of them (xdist group `browser`: one Chromium, one live server); `make test JOBS=0` runs
# it in this process. Tests marked `slow` (the ten-year publication order) are left out unless
# SLOW=1; CI runs them.
JOBS ?= auto
SLOW ?= 0
test: $(STAMP)
	$(PY) -m pytest -n $(JOBS) --dist loadgroup $(if $(filter 1,$(SLOW)),,-m 'not slow') $(PYTEST_ARGS)

# Lint, types of the services and selectors (mypy, [tool.mypy] in pyproject.toml), migrations in
# step with the models.
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_SETTINGS_MODULE=config.test_settings $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/mypy

check-deploy: $(STAMP)
	DEBUG=false SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))')" \
	UIC_SECRET=check OFFLINE_PRIVATE_KEY="$$($(PY) -m offline.keys)" \
	ALLOWED_HOSTS=pcmd.example.gov.vn $(PY) manage.py check --deploy --fail-level WARNING

# Recompile translations after editing locale/*/LC_MESSAGES/django.po (needs GNU gettext).
messages: $(STAMP)
	$(DEV_ENV) $(PY) manage.py makemessages -l en --no-obsolete --ignore '.venv/*'
	$(DEV_ENV) $(PY) manage.py compilemessages --ignore '.venv/*'

# Mutation testing of the rule modules with the fast tests that cover them (pyproject.toml
# [tool.mutmut]); CPU-heavy, not part of CI. MODULES narrows it to some modules, one at a time
# is minutes (e.g. `make mutate MODULES='periods/lock.py referrals/services.py'`); MUTANTS to
# some functions (e.g. MUTANTS='periods.lock.x_check_period_open*'). The first run collects
# which test reaches which function (a few minutes); results are kept in mutants/ between runs.
# scripts/mutation_score.py prints the score of each module (of the functions named, when
# MUTANTS is given) and the survivors. On a machine shared with others: MUTATE_NICE=19
# MUTATE_CHILDREN=1. docs/mutation.md has the last scores and the names of the rule functions.
MODULES ?=
MUTANTS ?= $(foreach m,$(MODULES),'$(subst /,.,$(m:.py=)).*')
MUTATE_CHILDREN ?= 2
MUTATE_NICE ?= 10
mutate: $(STAMP)
	$(PY) -m pip install --quiet '.[test,dev]'
	nice -n $(MUTATE_NICE) $(VENV)/bin/mutmut run --max-children $(MUTATE_CHILDREN) $(MUTANTS)
	$(PY) scripts/mutation_score.py $(MODULES) $(MUTANTS)

# The project's score: a seeded random sample of the rule functions' mutants
# (scripts/mutation_rules.txt), PER_MODULE of each module per wave; WAVES='1 2' runs the
# second wave too (waves add up: wave 2 does not redraw wave 1). The first run generates
# mutants/ and collects the tests' reach with a cheap function (suppression's 6 mutants), then
# draws the sample from the names mutmut wrote. The score, with its 95% interval for all the
# rule functions: scripts/mutation_score.py --sample (docs/mutation.md).
SEED ?= 2026
PER_MODULE ?= 4
WAVES ?= 1
SAMPLE_ARGS = --seed $(SEED) --per-module $(PER_MODULE) $(foreach w,$(WAVES),--wave $(w))
mutate-sample: $(STAMP)
	$(PY) -m pip install --quiet '.[test,dev]'
	test -f mutants/mutmut-stats.json || nice -n $(MUTATE_NICE) $(VENV)/bin/mutmut run \
		--max-children $(MUTATE_CHILDREN) 'reports.suppression.x_suppress_count*'
	names="$$($(PY) scripts/mutation_sample.py $(SAMPLE_ARGS))" && test -n "$$names" && \
		nice -n $(MUTATE_NICE) $(VENV)/bin/mutmut run --max-children $(MUTATE_CHILDREN) $$names
	$(PY) scripts/mutation_score.py --sample $(SAMPLE_ARGS)

clean:
	rm -rf $(VENV) staticfiles test-artifacts mutants
