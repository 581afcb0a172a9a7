# maillage — the two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test test-deps test-deep lint bench install lock schema clean

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

## The local OpenID provider the federation tests start (oidc-provider, Node.js)
OIDC_DIR   := tests/auth/oidc_provider
OIDC_STAMP := $(OIDC_DIR)/node_modules/.installed-stamp
$(OIDC_STAMP): $(OIDC_DIR)/package.json $(OIDC_DIR)/package-lock.json
	npm ci --prefix $(OIDC_DIR) --no-audit --no-fund --loglevel=error
	@touch $(OIDC_STAMP)

test-deps: install $(OIDC_STAMP)

## Build the embedded SQLite demo database under var/ and serve http://127.0.0.1:8000/graphql
demo: install
	$(BIN)/maillage demo setup
	$(BIN)/maillage serve

## The whole suite (SQLite and PostgreSQL), lint and layering contract included; the
## plugin suites (fixtures of the maillage pytest plugin) run again on PostgreSQL.
test: test-deps
	$(BIN)/python -m pytest -q
	$(BIN)/python -m pytest -q --maillage-db=postgres tests/plugin_system tests/plugins \
		tests/auth/test_person_records.py

## Long property-based runs (same tests, many more examples): the isolation properties,
## and 5,000 fuzzed GraphQL documents per database against the real server.
test-deep: test-deps
	MAILLAGE_HYPOTHESIS_PROFILE=deep $(BIN)/python -m pytest -q -m "not slow" tests/isolation
	MAILLAGE_FUZZ_EXAMPLES=5000 MAILLAGE_FUZZ_RANDOM=1 $(BIN)/python -m pytest -q -s tests/fuzz

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

bench: install
	$(BIN)/python -m benchmarks

## Refresh the constraints file after changing dependencies in pyproject.toml
lock: install
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^-e' > constraints.txt

schema: install
	$(BIN)/maillage schema export

clean:
	rm -rf $(VENV) var/*.sqlite3*
