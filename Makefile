# `make run` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CORPUS ?= corpus
DB ?= data/index.db

.PHONY: run test lint bench clean fuzz replies install-check

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/briefbot reindex --corpus $(CORPUS) --db $(DB)
	$(BIN)/briefbot run --corpus $(CORPUS) --db $(DB)

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

$(VENV)/.installed-fuzz: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,fuzz]'
	touch $@ $(VENV)/.installed $(VENV)/.installed-test

# Coverage-guided fuzzing (atheris) of the question path and of the corpus readers, each for
# FUZZ_SECONDS; prints inputs run and findings (docs/reliability.md).
FUZZ_SECONDS ?= 120
fuzz: $(VENV)/.installed-fuzz
	nice -n 10 $(BIN)/python bench/fuzz_questions.py --seconds $(FUZZ_SECONDS) --questions 500
	nice -n 10 $(BIN)/python bench/fuzz_readers.py --seconds $(FUZZ_SECONDS)

# docs/replies.md: the bot's typical replies, as it sends them, from the real bot.
replies: $(VENV)/.installed-test
	$(BIN)/python docs/replies.py

# A fresh install as a new machine makes it: a venv with the pip its Python ships (not
# upgraded), `pip install .` from the files git tracks, then an HTML briefing read and asked
# about. Anything the package needs but does not declare fails here, not in the suite's .venv.
CHECK_DIR ?= /tmp/briefbot-install-check
install-check:
	rm -rf $(CHECK_DIR) && mkdir -p $(CHECK_DIR)/src $(CHECK_DIR)/corpus
	git ls-files -z | tar --null -T - -c | tar -x -C $(CHECK_DIR)/src
	$(PYTHON) -m venv $(CHECK_DIR)/venv
	$(CHECK_DIR)/venv/bin/pip --version
	$(CHECK_DIR)/venv/bin/pip install --quiet $(CHECK_DIR)/src
	cp tests/fixtures/2024-03-19-harbour.html $(CHECK_DIR)/corpus/
	cd $(CHECK_DIR) && venv/bin/briefbot reindex --corpus corpus --db index.db
	cd $(CHECK_DIR) && venv/bin/briefbot ask --db index.db "when will the harbour dredging finish?"

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) data
