# Two entry points: `make repro` runs the pipeline on params.yaml (`dvc repro`; JOBS=N runs N independent
# stages at once), `make test` runs the tests.
# Both create .venv with the pinned packages on first use; a stamp skips reinstalling.
# torch: TORCH_BUILD=cpu (default) installs the CPU wheel from PyTorch's CPU index when that index answers,
# else torch==2.13.0 from the default index (on Linux, PyPI's wheel is the CUDA build); TORCH_BUILD=cuda
# installs torch==2.13.0 from the default index (PyPI: the CUDA build on Linux, CPU-only on macOS).
# The build is part of the install: a TORCH_BUILD other than the installed one replaces torch, and a CUDA
# build asked for where the index has none stops with one line saying what to do (exit 2).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TORCH_BUILD ?= cpu
WORKERS ?= 2
JOBS ?= 1
TORCH_CPU_INDEX := https://download.pytorch.org/whl/cpu
TORCH := $(shell grep '^torch==' constraints.txt)

.PHONY: install repro smoke test pull push lint clean-venv vega-page queue deps readme predict

ifeq ($(filter cpu cuda,$(TORCH_BUILD)),)
$(error TORCH_BUILD: got '$(TORCH_BUILD)', expected cpu or cuda)
endif
BUILD_STAMP := $(VENV)/.torch-$(TORCH_BUILD)
INSTALLED_BUILD := $(BIN)/python -c "import torch; print('cuda' if torch.version.cuda else 'cpu')"
CUDA_HOWTO := run .venv/bin/pip install --force-reinstall $(TORCH) --index-url URL, with the URL for your CUDA from https://pytorch.org/get-started/locally/

# torch of TORCH_BUILD: the CPU index for cpu when it answers, else the default index.
define install_torch
	if [ "$(TORCH_BUILD)" = cpu ] && $(BIN)/python -c "import urllib.request; urllib.request.urlopen('$(TORCH_CPU_INDEX)/torch/', timeout=5)" 2>/dev/null; then \
		echo "installing $(TORCH) (CPU build) from $(TORCH_CPU_INDEX)"; \
		$(BIN)/python -m pip install --quiet --disable-pip-version-check "$(TORCH)" --index-url $(TORCH_CPU_INDEX) --extra-index-url https://pypi.org/simple; \
	else \
		echo "installing $(TORCH) from the default index (TORCH_BUILD=$(TORCH_BUILD))"; \
		$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt "$(TORCH)"; \
	fi
endef

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(install_torch)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -r constraints.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

# The installed torch is the build TORCH_BUILD names, or it is replaced; a CUDA build the index lacks stops here.
$(BUILD_STAMP): $(STAMP)
	@if [ "$$($(INSTALLED_BUILD))" != "$(TORCH_BUILD)" ]; then \
		echo "the installed torch is not the $(TORCH_BUILD) build: replacing it"; \
		$(BIN)/python -m pip uninstall --quiet --disable-pip-version-check -y torch; \
	fi
	@$(BIN)/python -c "import torch" 2>/dev/null || { $(install_torch); }
	@if [ "$(TORCH_BUILD)" = cuda ] && [ "$$($(INSTALLED_BUILD))" != cuda ]; then \
		echo "error: TORCH_BUILD=cuda: the package index gave $(TORCH) without CUDA (macOS has no CUDA build); $(CUDA_HOWTO)" >&2; \
		exit 2; \
	fi
	rm -f $(VENV)/.torch-cpu $(VENV)/.torch-cuda
	touch $@

install: $(STAMP) $(BUILD_STAMP)

# exec: the runner takes the shell's place, so the SIGTERM make passes on when stopped reaches it
repro: install
	export PATH="$(CURDIR)/$(BIN):$$PATH"; exec $(BIN)/python -m tools.parallel_repro --jobs="$(JOBS)"

smoke: install
	$(BIN)/python -m tools.smoke

queue: install
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m tools.queue_workers $(WORKERS)

pull: install
	$(BIN)/python -m tools.remote pull

push: install
	$(BIN)/python -m tools.remote push

test: install
	$(BIN)/python -m pytest

readme: install
	$(BIN)/python -m tools.readme_summary

# A trained model on your images: make predict MODEL=models/detector_improved.pt IMAGES="photo.png scenes/" [OUT=predicted]
OUT ?= predicted
predict: install
	@test -n "$(MODEL)" -a -n "$(IMAGES)" || { echo "error: make predict needs MODEL=<checkpoint> and IMAGES=<files or folders>"; exit 2; }
	$(BIN)/python -m locate.predict --model "$(MODEL)" --out "$(OUT)" $(IMAGES)

deps: install
	$(BIN)/python -m tools.stage_code --write

lint: install
	$(BIN)/ruff check .

clean-venv:
	rm -rf $(VENV)

vega-page: install
	$(BIN)/python -m tools.vega_page
