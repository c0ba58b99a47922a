# The front door. Every target installs what it needs into .venv on first use.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PACKAGES := libs/start libs/audit libs/netsuite libs/shipstation source-netsuite-inventory source-shipstation \
            destination-netsuite-fulfillment destination-shipstation-inventory integration_tests webhook-relay \
            sync-runner
PYPROJECTS := $(addsuffix /pyproject.toml,$(PACKAGES))
CONNECTORS := source-shipstation source-netsuite-inventory destination-netsuite-fulfillment \
              destination-shipstation-inventory

.PHONY: install demo test bench soak emulators clean dist lock

install: $(STAMP)

$(STAMP): $(PYPROJECTS) requirements-dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt $(addprefix -e ,$(PACKAGES))
	@touch $(STAMP)

demo: install
	$(BIN)/python integration_tests/demo.py

test: install
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python benchmarks/bench_sync2.py
	$(BIN)/python benchmarks/bench_webhooks.py
	$(BIN)/python benchmarks/bench_orders.py

# The reliability soak (integration_tests/soak.py): about 10-15 minutes; SOAK_ARGS="--minutes 5 --seeds 3 --kills 5"
soak: install
	$(BIN)/python integration_tests/soak.py $(SOAK_ARGS)

# One self-contained wheel per connector in dist/ (release/bundle.py: the shared libs/ code bundled in).
dist: install
	$(BIN)/python release/bundle.py

# Each connector's requirements.lock: what its image installs, to the hash. Run after changing a dependency.
lock: install
	$(BIN)/python release/bundle.py --no-wheel
	for c in $(CONNECTORS); do \
	  (cd build/stage/$$c && CUSTOM_COMPILE_COMMAND="make lock" $(CURDIR)/$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe \
	    --build-deps-for wheel --strip-extras --no-emit-index-url --no-emit-find-links \
	    --output-file $(CURDIR)/$$c/requirements.lock pyproject.toml) & \
	done; wait

emulators: install
	@echo "Start each in its own terminal:  $(BIN)/netsuite-emulator   and   $(BIN)/shipstation-emulator"

clean:
	rm -rf $(VENV) .pytest_cache build dist
