# The front door. Every target installs what it needs into .venv on first use.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PACKAGES := libs/start libs/http libs/audit libs/netsuite libs/shipstation source-netsuite-inventory source-shipstation \
            destination-netsuite-fulfillment destination-shipstation-inventory integration_tests webhook-relay \
            sync-runner
PYPROJECTS := $(addsuffix /pyproject.toml,$(PACKAGES))
# Airbyte's own connector QA checks (release/airbyte_checks.py, run by release/tests/test_airbyte_checks.py)
# need airbyte-internal-ops, which brings its own airbyte-cdk and pydantic pins: a separate venv, never .venv.
# The stamp names the pinned version, so changing the pin rebuilds it. make test depends on it.
QA_VENV := .venv-qa
QA_STAMP := $(QA_VENV)/.installed-airbyte-internal-ops-0.132.0
CONNECTORS := source-shipstation source-netsuite-inventory destination-netsuite-fulfillment \
              destination-shipstation-inventory

.PHONY: install demo test bench soak emulators clean dist lock images image-test ui

install: $(STAMP)

$(STAMP): $(PYPROJECTS) requirements-dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt $(addprefix -e ,$(PACKAGES))
	@touch $(STAMP)

demo: install
	$(BIN)/python integration_tests/demo.py

# The operations page over the demo's runs (.demo/, from make demo) until Ctrl-C; UI_ARGS="--port 9000".
ui: install
	@test -f .demo/runner.yaml || { echo "make ui shows the demo's runs: run make demo first"; exit 2; }
	$(BIN)/sync-runner ui --config .demo/runner.yaml $(UI_ARGS)

test: install $(QA_STAMP)
	$(BIN)/python -m pytest

bench: install
	@mkdir -p build/bench && : > build/bench/figures.txt
	@{ echo "# bench benchmarks/bench_sync1.py"; PYTHONUNBUFFERED=1 $(BIN)/python benchmarks/bench_sync1.py; echo "# exit benchmarks/bench_sync1.py $$?"; } | tee -a build/bench/figures.txt
	@{ echo "# bench benchmarks/bench_sync2.py"; PYTHONUNBUFFERED=1 $(BIN)/python benchmarks/bench_sync2.py; echo "# exit benchmarks/bench_sync2.py $$?"; } | tee -a build/bench/figures.txt
	@{ echo "# bench benchmarks/bench_webhooks.py"; PYTHONUNBUFFERED=1 $(BIN)/python benchmarks/bench_webhooks.py; echo "# exit benchmarks/bench_webhooks.py $$?"; } | tee -a build/bench/figures.txt
	@{ echo "# bench benchmarks/bench_orders.py"; PYTHONUNBUFFERED=1 $(BIN)/python benchmarks/bench_orders.py; echo "# exit benchmarks/bench_orders.py $$?"; } | tee -a build/bench/figures.txt
	@{ echo "# bench benchmarks/bench_peers.py"; PYTHONUNBUFFERED=1 $(BIN)/python benchmarks/bench_peers.py; echo "# exit benchmarks/bench_peers.py $$?"; } | tee -a build/bench/figures.txt
	@{ echo "# bench benchmarks/bench_audit_store.py"; PYTHONUNBUFFERED=1 $(BIN)/python benchmarks/bench_audit_store.py; echo "# exit benchmarks/bench_audit_store.py $$?"; } | tee -a build/bench/figures.txt
	$(BIN)/python benchmarks/summary.py build/bench/figures.txt

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

# The four images, as Airbyte builds them (podman as root; images/README.md). By default on a local stand-in for
# Airbyte's python-connector base, built once and kept while its recipe is unchanged; where Docker Hub is
# reachable, BASE_IMAGE=docker.io/airbyte/python-connector-base:4.0.2@sha256:... builds on the real one.
BASE_IMAGE ?= localhost/airbyte/python-connector-base:4.0.2-local
images: dist
	bash images/podman-setup.sh
	@case "$(BASE_IMAGE)" in localhost/*) bash images/build-base.sh ;; esac
	BASE_IMAGE=$(BASE_IMAGE) bash images/build-connectors.sh $(CONNECTORS)

# Each image run as the platform runs it: spec, check, discover, both pipelines container to container
# (release/tests/test_images.py), then the CDK's own container tests against the same images.
image-test: images
	$(BIN)/python -m pytest -m image_tests release/tests/test_images.py
	bash images/cdk-image-tests.sh $(CONNECTORS)

emulators: install
	@echo "Start each in its own terminal:  $(BIN)/netsuite-emulator   and   $(BIN)/shipstation-emulator"

clean:
	rm -rf $(VENV) $(QA_VENV) .pytest_cache build dist

$(QA_STAMP):
	@test -x $(QA_VENV)/bin/python || $(PYTHON) -m venv $(QA_VENV) || python3 -m venv $(QA_VENV)
	$(QA_VENV)/bin/python -m pip install --quiet airbyte-internal-ops==0.132.0 airbyte-connector-models==0.1.12
	@rm -f $(QA_VENV)/.installed-* && touch $(QA_STAMP)
