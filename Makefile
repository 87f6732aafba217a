# Two entry points: `make repro` runs the pipeline on params.yaml (`dvc repro`; JOBS=N runs N independent
# stages at once), `make test` runs the tests.
# Both create .venv with the pinned packages on first use; a stamp skips reinstalling.
# torch: TORCH_BUILD=cpu (default) installs the CPU wheel from PyTorch's CPU index when that index answers,
# else torch==2.13.0 from the default index (on Linux, PyPI's wheel is the CUDA build); TORCH_BUILD=cuda
# installs torch==2.13.0 from the default index (PyPI: the CUDA build on Linux, CPU-only on macOS).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TORCH_BUILD ?= cpu
WORKERS ?= 2
JOBS ?= 1
TORCH_CPU_INDEX := https://download.pytorch.org/whl/cpu
TORCH := $(shell grep '^torch==' constraints.txt)

.PHONY: install repro smoke test pull push lint clean-venv vega-page queue deps predict

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@if [ "$(TORCH_BUILD)" = cpu ] && $(BIN)/python -c "import urllib.request; urllib.request.urlopen('$(TORCH_CPU_INDEX)/torch/', timeout=5)" 2>/dev/null; then \
		echo "installing $(TORCH) (CPU build) from $(TORCH_CPU_INDEX)"; \
		$(BIN)/python -m pip install --quiet --disable-pip-version-check "$(TORCH)" --index-url $(TORCH_CPU_INDEX) --extra-index-url https://pypi.org/simple; \
	else \
		echo "installing $(TORCH) from the default index (TORCH_BUILD=$(TORCH_BUILD))"; \
		$(BIN)/python -m pip install --quiet --disable-pip-version-check "$(TORCH)"; \
	fi
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -r constraints.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

repro: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m tools.parallel_repro --jobs="$(JOBS)"

smoke: $(STAMP)
	$(BIN)/python -m tools.smoke

queue: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m tools.queue_workers $(WORKERS)

pull: $(STAMP)
	$(BIN)/python -m tools.remote pull

push: $(STAMP)
	$(BIN)/python -m tools.remote push

test: $(STAMP)
	$(BIN)/python -m pytest

# A trained model on your images: make predict MODEL=models/detector_improved.pt IMAGES="photo.png scenes/" [OUT=predicted]
OUT ?= predicted
predict: $(STAMP)
	@test -n "$(MODEL)" -a -n "$(IMAGES)" || { echo "error: make predict needs MODEL=<checkpoint> and IMAGES=<files or folders>"; exit 2; }
	$(BIN)/python -m locate.predict --model "$(MODEL)" --out "$(OUT)" $(IMAGES)

deps: $(STAMP)
	$(BIN)/python -m tools.stage_code --write

lint: $(STAMP)
	$(BIN)/ruff check .

clean-venv:
	rm -rf $(VENV)

vega-page: $(STAMP)
	$(BIN)/python -m tools.vega_page
