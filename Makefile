# maillage — the two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# Python and pytest keep what they compile (__pycache__, ignored by git): where the
# machine's environment sets PYTHONDONTWRITEBYTECODE, every process compiled every module
# again, and pytest rewrote the assertions of every test module in each of its workers
# (collecting the suite: 13 s of CPU instead of 6).
unexport PYTHONDONTWRITEBYTECODE

.PHONY: territory-geo demo test test-deps test-deep lint bench install lock schema clean chromium graphiql-assets screenshots \
	document-libs document-fonts

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

## PostGraphile 4, the reference `make bench` compares the API with (benchmarks/compare.py)
PG_BENCH_DIR   := benchmarks/postgraphile
PG_BENCH_STAMP := $(PG_BENCH_DIR)/node_modules/.installed-stamp
$(PG_BENCH_STAMP): $(PG_BENCH_DIR)/package.json $(PG_BENCH_DIR)/package-lock.json
	npm ci --prefix $(PG_BENCH_DIR) --no-audit --no-fund --loglevel=error
	@touch $(PG_BENCH_STAMP)

## GraphiQL's browser files: npm packages pinned in assets/graphiql/package-lock.json. The
## copies served by the app are committed in core/app/static/graphiql/ (a plain pip install
## carries them); the tests check they are byte for byte these packages' files.
GRAPHIQL_DIR   := assets/graphiql
GRAPHIQL_STAMP := $(GRAPHIQL_DIR)/node_modules/.installed-stamp
$(GRAPHIQL_STAMP): $(GRAPHIQL_DIR)/package.json $(GRAPHIQL_DIR)/package-lock.json
	npm ci --prefix $(GRAPHIQL_DIR) --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $(GRAPHIQL_STAMP)

## After changing a version in assets/graphiql/package.json (then `npm install
## --package-lock-only` there): copy the new files into the package, and commit them.
graphiql-assets: install $(GRAPHIQL_STAMP)
	$(BIN)/python $(GRAPHIQL_DIR)/refresh.py

## The printed documents' font (Atkinson Hyperlegible, SIL OFL), pinned in
## assets/fonts/package-lock.json. The copies the PDFs embed are committed in
## core/api/documents/fonts/; the tests check they are byte for byte the package's files.
FONTS_DIR   := assets/fonts
FONTS_STAMP := $(FONTS_DIR)/node_modules/.installed-stamp
$(FONTS_STAMP): $(FONTS_DIR)/package.json $(FONTS_DIR)/package-lock.json
	npm ci --prefix $(FONTS_DIR) --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $(FONTS_STAMP)

## After changing the version in assets/fonts/package.json (then `npm install
## --package-lock-only` there): copy the font files into the package, and commit them.
document-fonts: install $(FONTS_STAMP)
	$(BIN)/python $(FONTS_DIR)/refresh.py

## WeasyPrint's system libraries (the PDFs of the printed documents): Pango, HarfBuzz,
## fontconfig; and poppler-utils, whose pdfinfo and pdftoppm the tests read the PDFs with.
## Installed with apt when missing, as root or through sudo, like Chromium below;
## deploy/Dockerfile installs the same libraries (not poppler-utils).
## apt waits for another apt (several checkouts installing at once) instead of failing at once
APT_WAIT ?= -o DPkg::Lock::Timeout=600
DOCUMENT_LIBS ?= libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 \
	libfontconfig1 fonts-dejavu-core poppler-utils
document-libs:
	@if ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0' \
		&& ldconfig -p | grep -q 'libharfbuzz-subset.so.0' \
		&& command -v pdftoppm >/dev/null; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then apt-get $(APT_WAIT) update -qq && apt-get $(APT_WAIT) install -y -qq $(DOCUMENT_LIBS); \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then \
		sudo apt-get $(APT_WAIT) update -qq && sudo apt-get $(APT_WAIT) install -y -qq $(DOCUMENT_LIBS); \
	else \
		echo "Bibliothèques de WeasyPrint absentes (Pango, HarfBuzz) et ni root ni sudo :" \
			"installez-les avec « sudo apt-get install $(DOCUMENT_LIBS) » ; sans elles," \
			"les documents PDF ne se font pas." >&2; \
		exit 1; \
	fi

## axe-core, injected by tests/browser into each page of the web app (accessibility)
AXE_DIR   := tests/browser/axe
AXE_STAMP := $(AXE_DIR)/node_modules/.installed-stamp
$(AXE_STAMP): $(AXE_DIR)/package.json $(AXE_DIR)/package-lock.json
	npm ci --prefix $(AXE_DIR) --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $(AXE_STAMP)

## Debian's Chromium for tests/browser (driven by Playwright from PyPI, never a browser
## Playwright downloads): installed with apt when missing, as root or through sudo.
CHROMIUM ?= /usr/bin/chromium
chromium:
	@if [ -x "$(CHROMIUM)" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then apt-get $(APT_WAIT) update -qq && apt-get $(APT_WAIT) install -y -qq chromium; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then \
		sudo apt-get $(APT_WAIT) update -qq && sudo apt-get $(APT_WAIT) install -y -qq chromium; \
	else \
		echo "Chromium absent ($(CHROMIUM)) et ni root ni sudo : installez-le avec" \
			"« sudo apt-get install chromium » ; sans lui, tests/browser est sauté" \
			"(et échoue si CI=true)." >&2; \
		case "$$CI" in 1|true|yes) exit 1;; esac; \
	fi

test-deps: install $(OIDC_STAMP) $(GRAPHIQL_STAMP) $(FONTS_STAMP) $(PG_BENCH_STAMP) $(AXE_STAMP) \
	document-libs chromium

## Build the embedded SQLite demo database under var/ and serve http://127.0.0.1:8000/graphql
demo: install
	$(BIN)/maillage demo setup
	$(BIN)/maillage serve

## The whole suite (SQLite and PostgreSQL), lint and layering contract included; the
## plugin suites (fixtures of the maillage pytest plugin) run again on PostgreSQL, but
## the scaffold's (its packages' own tests run on SQLite whatever the option).
## TEST_WORKERS: processes each pass runs on (pytest-xdist; a test file stays on one, and
## tests/browser and tests/concurrency each whole on one, so a module's or package's live
## server is started once: tests/conftest.py names the groups). 1 runs in one process.
TEST_WORKERS ?= 2
## The project's bytecode is compiled first, once, before the two workers of each pass
## and the Python processes the suite starts (the warm `maillage` of each test process,
## the cold starts, the plugins' own test runs) need it.
## --durations prints the slowest tests of each pass: the suite must stay under 15 minutes.
test: test-deps
	$(BIN)/python -m compileall -q -x /node_modules/ core plugins tests benchmarks
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadgroup --durations=15
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadgroup --durations=10 --maillage-db=postgres \
		tests/plugin_system tests/plugins tests/auth/test_person_records.py tests/report/test_isolation.py \
		--deselect tests/plugin_system/test_scaffold.py

## The user guide's screenshots (docs/screenshots), taken by the browser tests
screenshots: test-deps
	MAILLAGE_WRITE_SCREENSHOTS=1 $(BIN)/python -m pytest -q tests/browser/test_web_app.py \
		tests/browser/test_members.py -k "screenshots or pole_admin_invites"

## Long property-based runs (same tests, many more examples): the isolation properties,
## the network releases' protection (10,000 random releases per property), every breakdown
## of the figures against its total, 5,000 fuzzed GraphQL documents per database
## against the real server, and the pages' isolation probe with every address and form
## replayed (make test replays three of each shape).
test-deep: test-deps
	MAILLAGE_HYPOTHESIS_PROFILE=deep $(BIN)/python -m pytest -q -m "not slow" tests/isolation
	MAILLAGE_HYPOTHESIS_PROFILE=deep $(BIN)/python -m pytest -q tests/pages/test_isolation.py
	MAILLAGE_HYPOTHESIS_PROFILE=deep $(BIN)/python -m pytest -q tests/network/protection
	MAILLAGE_FIGURE_EXAMPLES=500 $(BIN)/python -m pytest -q tests/domain/test_figures_properties.py
	MAILLAGE_FUZZ_EXAMPLES=5000 MAILLAGE_FUZZ_RANDOM=1 $(BIN)/python -m pytest -q -s tests/fuzz

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

## The figures (benchmarks/README.md), then maillage against PostGraphile 4 and raw SQL
## on one PostgreSQL database (20 poles × 2000 children, load tests): under 10 minutes.
bench: install $(PG_BENCH_STAMP)
	$(BIN)/python -m benchmarks
	$(BIN)/python -m benchmarks --compare

## Refresh the constraints file after changing dependencies in pyproject.toml
lock: install
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^-e' > constraints.txt

## Rebuild core/territory/data/geo/ from the open commune boundaries (rarely: when they change)
GEO_SOURCES ?= ../shared/data/territory/geo
territory-geo: install
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[geo-build]'
	rm -rf var/decoupage && mkdir -p var/decoupage
	cd var/decoupage && npm pack --silent @etalab/decoupage-administratif@6.0.0 && tar xzf *.tgz
	$(BIN)/python -m core.territory.geo_build --sources $(GEO_SOURCES) \
		--communes-json var/decoupage/package/data/communes.json \
		--communes-csv ../shared/data/territory/communes.csv

schema: install
	$(BIN)/maillage schema export

clean:
	rm -rf $(VENV) var/*.sqlite3*
