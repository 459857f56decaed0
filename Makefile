# The two commands of the README. Both create .venv on first use and reuse it afterwards.
#   make book   build the book (every chapter executed at its quick profile)
#   make test   the whole test suite (includes executing chapter 1 and building the book)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# torch is pinned so pip takes the local CPU wheel instead of downloading CUDA builds.
TORCH  := torch==2.13.0
STAMP  := $(VENV)/.installed

.PHONY: book test venv clean

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

book: $(STAMP) _build/.library-hash
	$(BIN)/jupyter-book build . --warningiserror --keep-going
	@echo "Book built: $(CURDIR)/_build/html/index.html"

test: $(STAMP)
	$(BIN)/python -m pytest -q

clean:
	rm -rf _build runs
