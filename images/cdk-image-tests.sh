#!/usr/bin/env bash
# cdk-image-tests.sh CONNECTOR... - the Airbyte CDK's own container tests (its standard suites' `image_tests`:
# spec, check, discover, read and config-matches-spec in the image) against each image `make images` built,
# with the emulator scenarios of the connector's unit_tests/test_standard_suite.py.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PYTHON=${PYTHON:-$ROOT/.venv/bin/python}
command -v podman >/dev/null || { echo "podman missing: run images/podman-setup.sh as root" >&2; exit 1; }
export PATH="$ROOT/images/docker-shim:$PATH"
for connector in "$@"; do
  image=$("$ROOT/images/image-name.sh" "$ROOT/$connector")
  echo "== $connector: the CDK's container tests against $image"
  (cd "$ROOT" && "$PYTHON" -m pytest -m image_tests -q "$connector/unit_tests/test_standard_suite.py" \
     --connector-image "$image" --read-from-streams=all)
done
