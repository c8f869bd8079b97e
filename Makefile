# `make run` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CORPUS ?= corpus
DB ?= data/index.db

.PHONY: run test lint bench clean fuzz replies

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

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) data
