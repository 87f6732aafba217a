# Two entry points: `make repro` runs the pipeline on params.yaml, `make test` runs the tests.
# Both create .venv with the pinned packages on first use; a stamp skips reinstalling.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install repro smoke test pull push lint clean-venv

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -r constraints.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

repro: $(STAMP)
	$(BIN)/python -m stages.check_params
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/dvc repro

smoke: $(STAMP)
	$(BIN)/python -m ci.smoke

pull: $(STAMP)
	$(BIN)/python -m ci.remote pull

push: $(STAMP)
	$(BIN)/python -m ci.remote push

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .

clean-venv:
	rm -rf $(VENV)
