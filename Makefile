# One task runner. `make demo` and `make test` set up everything on a fresh machine.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# Every package's exact version (runtime and the [dev] extras), for reproducible set-ups.
LOCK   := requirements.lock
# Debian packages the tests need: a browser for the workshop test, a CJK font for
# Chinese text in PDFs and charts, poppler for reading PDFs back.
DEBS   := chromium fonts-noto-cjk poppler-utils

.PHONY: demo test fuzz lint format system-deps fonts bench lock clean

$(STAMP): requirements.txt pyproject.toml $(LOCK)
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c $(LOCK) -e ".[dev]"
	touch $(STAMP)

# Re-pins $(LOCK) from requirements.txt and pyproject.toml's extras, keeping the pins that
# still fit; `make lock UPGRADE=1` moves every package to its newest allowed version.
lock: $(STAMP)
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --universal -q \
	  --custom-compile-command "make lock" $(if $(UPGRADE),--upgrade) -o $(LOCK)

# Installs the Debian packages in $(1) that are missing (as root), or says which are missing.
define debs
	@missing=""; \
	for pkg in $(1); do dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "Installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "Missing Debian packages:$$missing (run 'sudo apt-get install$$missing')"; \
	  fi; \
	fi
endef

system-deps:
	$(call debs,$(DEBS))

fonts:
	$(call debs,fonts-noto-cjk)

demo: $(STAMP) fonts
	$(VENV)/bin/mlpm demo

test: $(STAMP) system-deps
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m pytest

# The fuzz tests of tests/cli/test_fuzz.py, long: 5,000 fresh random cases per reader (idea
# files, notes, CSV, XLSX); prints cases, exits, the slowest case and peak memory. About an hour.
fuzz: $(STAMP)
	MLPM_FUZZ_EXAMPLES=5000 HYPOTHESIS_PROFILE=explore $(PY) -m pytest tests/cli/test_fuzz.py -q -s -p no:randomly

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(STAMP)
	$(PY) -m ruff format .

bench: $(STAMP)
	for b in benchmarks/*.py; do $(PY) $$b; done

clean:
	rm -rf $(VENV) out .pytest_cache .hypothesis
