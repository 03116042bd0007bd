# Two entry points for a fresh machine: `make demo` runs the main job on bundled
# data, `make test` runs the whole suite. Both build the virtualenv they need.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# The demo keeps its embedded store in out/home, away from ~/.banwatch.
demo: $(STAMP)
	BANWATCH_HOME=$(CURDIR)/out/home $(BIN)/banwatch demo --out out

# The review UI's browser tests drive Debian's Chromium (Playwright's own browser
# download cannot be fetched here): installed when missing, the package list
# refreshed first only where the install cannot find the package.
CHROMIUM := /usr/bin/chromium

$(CHROMIUM):
	DEBIAN_FRONTEND=noninteractive apt-get install -y chromium || \
		(apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)

test: $(STAMP) $(CHROMIUM)
	$(BIN)/python -m pytest -n 2 -q

clean:
	rm -rf $(VENV) out .pytest_cache
