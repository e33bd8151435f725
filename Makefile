# Two commands on a fresh machine with Python 3.11, pip and make:
#   make site   install, validate the corpus, build index and site into _site/
#   make test   install, then run the whole test suite
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: site test install check index serve clean browser

install: $(STAMP)

# Reinstalls only when pyproject.toml or constraints.txt change.
$(STAMP): pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found; set PYTHON=python3"; exit 2; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[full,test]'
	touch $(STAMP)

check: $(STAMP)
	$(BIN)/jipp-kb check

index: $(STAMP)
	$(BIN)/jipp-kb index

site: $(STAMP)
	$(BIN)/jipp-kb check
	$(BIN)/jipp-kb index
	$(BIN)/jipp-kb build
	@echo "Site built in _site/ — open _site/index.html, or run: $(BIN)/jipp-kb serve"

serve: $(STAMP)
	$(BIN)/jipp-kb serve

# Browser tests drive Debian's Chromium; install it when missing.
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  { (apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null) || \
	    echo "warning: could not install chromium; browser tests will be skipped"; }

test: $(STAMP) browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -q

clean:
	rm -rf _site .jipp packs test-output
