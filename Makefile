# The two commands of the README. Both create .venv on first use and reuse it afterwards.
#   make book   build the book (every chapter executed at its quick profile)
#   make test   the whole test suite (includes executing chapter 1 and building the book)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# torch is pinned so pip takes the local CPU wheel instead of downloading CUDA builds.
TORCH  := torch==2.13.0
STAMP  := $(VENV)/.installed
# MathJax is served from the site itself (no CDN): a pinned release from the npm registry.
MATHJAX_VERSION := 3.2.2
MATHJAX := _assets/mathjax/tex-chtml-full.js

.PHONY: book test venv clean browser screenshot

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet "$(TORCH)" -e ".[book,test]"
	touch $(STAMP)

# The execution cache keys on notebook code only; a changed library must re-execute chapters.
_build/.library-hash: $(wildcard src/geneft/*.py) | $(STAMP)
	mkdir -p _build
	cat $^ | sha256sum > $@.new
	if ! cmp -s $@.new $@; then rm -rf _build/.jupyter_cache _build/jupyter_execute _build/html; mv $@.new $@; else rm $@.new; fi

$(MATHJAX):
	rm -rf _assets/mathjax .mathjax-tmp && mkdir -p .mathjax-tmp _assets/mathjax/output/chtml/fonts _assets/mathjax/input/tex
	cd .mathjax-tmp && npm pack --silent mathjax@$(MATHJAX_VERSION) >/dev/null && tar xzf mathjax-$(MATHJAX_VERSION).tgz
	cp .mathjax-tmp/package/es5/tex-chtml-full.js .mathjax-tmp/package/LICENSE _assets/mathjax/
	cp -r .mathjax-tmp/package/es5/output/chtml/fonts/woff-v2 _assets/mathjax/output/chtml/fonts/
	cp -r .mathjax-tmp/package/es5/input/tex/extensions _assets/mathjax/input/tex/
	rm -rf .mathjax-tmp

# Headless Chromium for the browser test (Debian's package; Playwright drives it). A machine
# that already has chromium or Google Chrome (GitHub's runners) installs nothing.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
browser:
	command -v chromium >/dev/null || command -v google-chrome >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium; }

book: $(STAMP) $(MATHJAX) _build/.library-hash
	$(BIN)/jupyter-book build . --warningiserror --keep-going
	@echo "Book built: $(CURDIR)/_build/html/index.html"

test: $(STAMP) $(MATHJAX) browser
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

# The README's screenshot: build the book, run the browser test on it (it saves a screenshot of
# every page in _build/screenshots/), and copy the repon-dynamics chapter's into docs/.
screenshot: book browser
	GENEFT_BUILT_BOOK=_build/html $(BIN)/python -m pytest -q tests/test_site.py
	cp _build/screenshots/repons.png docs/screenshot-repons.png

clean:
	rm -rf _build runs
