# The two commands of the README. Both create .venv on first use and reuse it afterwards.
#   make book   build the book (every chapter executed at its quick profile)
#   make test   the whole test suite (includes executing the chapters and building the book), on
#               one process per usable CPU (pytest-xdist; the book-building tests on one of them)
PYTHON ?= python3
# Python keeps the bytecode it compiles (in __pycache__ folders, ignored by git), also where the
# environment sets PYTHONDONTWRITEBYTECODE: pip does not compile the lock (below), and without
# this every chapter's kernel and every worker would compile torch, numpy and matplotlib again
# (about 3 s each).
unexport PYTHONDONTWRITEBYTECODE
VENV   := .venv
BIN    := $(VENV)/bin
# Every package at the exact version of the lock (made by `make lock`, see the README); torch is
# pinned there once, so pip takes the local CPU wheel instead of downloading CUDA builds.
LOCK   := requirements-lock.txt
TORCH  ?= $(shell grep '^torch==' $(LOCK))
STAMP  := $(VENV)/.installed
# MathJax is served from the site itself (no CDN): a pinned release from the npm registry.
MATHJAX_VERSION := 3.2.2
MATHJAX := _assets/mathjax/tex-chtml-full.js
# So are Vega, Vega-Lite and vega-embed, which draw the live figures (geneft.live): pinned
# releases from npm. Vega-Lite's version is the schema of the lock's Altair (tests/test_live.py).
VEGA_PACKAGES := vega@6.2.0 vega-lite@6.4.1 vega-embed@7.1.0
VEGA := _assets/vega/vega-embed.min.js

.PHONY: book test venv lock pdf clean browser screenshot

venv: $(STAMP)

# The lock's wheels are for the Python it was made on (its header says which).
define LOCK_PYTHON_CHECK
import sys
v = "%d.%d" % sys.version_info[:2]
if f"on Python {v};" not in open(sys.argv[1]).read():
    sys.exit(f"{sys.argv[1]} was made on another Python than this {v}: use that one "
             f"(make PYTHON=python3.X, after rm -rf .venv) or re-pin with make lock")
endef
export LOCK_PYTHON_CHECK

# Exactly the lock (no resolution, --no-deps), then the project; pip check proves it complete.
# --no-compile: pip would byte-compile all ~15,000 modules of the lock (about 60 s on one core);
# the book and the tests import about 3,000 of them, which Python compiles on first import and
# keeps in .venv (see the unexport at the top).
$(STAMP): pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -c "$$LOCK_PYTHON_CHECK" $(LOCK)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --no-deps --no-compile -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m pip check
	touch $(STAMP)

# Re-pin everything (after changing pyproject.toml, or to take newer releases): install the
# project with every extra into a fresh venv, check it, and write the lock and
# binder/environment.yml from its pip freeze. Another torch: make lock TORCH=torch==X.Y.Z
LOCK_VENV := .lock-venv
lock:
	rm -rf $(LOCK_VENV) && $(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(LOCK_VENV)/bin/python -m pip install --quiet "$(TORCH)" -e ".[book,test,dask,binder]"
	$(LOCK_VENV)/bin/python -m pip check
	$(LOCK_VENV)/bin/python -m pip freeze --all --exclude-editable > $(LOCK_VENV)/freeze.txt
	$(LOCK_VENV)/bin/python tools/lock.py < $(LOCK_VENV)/freeze.txt
	rm -rf $(LOCK_VENV)

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

$(VEGA):
	rm -rf _assets/vega .vega-tmp && mkdir -p .vega-tmp _assets/vega
	cd .vega-tmp && for p in $(VEGA_PACKAGES); do npm pack --silent $$p >/dev/null || exit 1; done
	cd .vega-tmp && for t in *.tgz; do mkdir $${t%.tgz} && tar xzf $$t -C $${t%.tgz} || exit 1; done
	for n in vega vega-lite vega-embed; do \
	  cp .vega-tmp/$$n-[0-9]*/package/build/$$n.min.js _assets/vega/ && \
	  cp .vega-tmp/$$n-[0-9]*/package/LICENSE _assets/vega/LICENSE-$$n || exit 1; done
	rm -rf .vega-tmp

# Headless Chromium for the browser test (Debian's package; Playwright drives it). A machine
# that already has chromium or Google Chrome (GitHub's runners) installs nothing.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
browser:
	command -v chromium >/dev/null || command -v google-chrome >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium; }

# tools/build_book.py: the chapters the execution cache lacks executed side by side (one per
# usable CPU), then `jupyter-book build . --warningiserror --keep-going`, which renders them.
book: $(STAMP) $(MATHJAX) $(VEGA) _build/.library-hash
	$(BIN)/python tools/build_book.py
	@echo "Book built: $(CURDIR)/_build/html/index.html"

# The whole book as one PDF, printed by Chromium from the single-page build (tools/pdf.py); also
# put beside the site's pages, where the intro links to it once the site is published.
pdf: $(STAMP) $(MATHJAX) $(VEGA) _build/.library-hash browser
	$(BIN)/python tools/pdf.py
	mkdir -p _build/html && cp _build/pdf/geneft-book.pdf _build/html/geneft-book.pdf
	@echo "PDF: $(CURDIR)/_build/pdf/geneft-book.pdf"

test: $(STAMP) $(MATHJAX) $(VEGA) browser
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q --durations=15 -n auto --dist loadgroup

# The README's screenshot: build the book, run the browser test on it (it saves a screenshot of
# every page in _build/screenshots/), and copy the repon-dynamics chapter's into docs/.
screenshot: book browser
	GENEFT_BUILT_BOOK=_build/html $(BIN)/python -m pytest -q tests/test_site.py
	cp _build/screenshots/repons.png docs/screenshot-repons.png

clean:
	rm -rf _build runs
