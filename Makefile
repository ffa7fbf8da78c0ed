# Two commands on a fresh machine with only python3 and make: `make run` and `make test`.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)

.PHONY: run test gates bench soak sim clean bytecode

$(PY):
	python3 -m venv $(VENV)

$(STAMP): pyproject.toml constraints.txt | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

# An editable install leaves our modules uncompiled, and with PYTHONDONTWRITEBYTECODE set (as here) every
# start would compile them again: compile what changed, as a wheel install does once.
bytecode: $(STAMP)
	$(PY) -m compileall -q src

run: bytecode
	$(VENV)/bin/tui-chat $(ARGS)

# The gates: lint, formatting, types (strict for engine, store, chat and backend) and the layers' contracts.
gates: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

test: gates bytecode
	$(PY) -m pytest $(PYTEST_ARGS)

# The randomized fault soak at ten times the size the suite runs (TUI_CHAT_SOAK_RUNS, TUI_CHAT_SOAK_SEED).
soak: bytecode
	TUI_CHAT_SOAK_RUNS=$(or $(RUNS),1000) $(PY) -m pytest -q tests/e2e/test_soak.py

# make bench ARGS=--contended: the same with a steady neighbour beside every run.
bench: bytecode
	$(PY) -m benchmarks $(ARGS)

sim: bytecode
	$(VENV)/bin/tui-chat sim --port $(or $(PORT),8765)

clean:
	rm -rf $(VENV) .pytest_cache
