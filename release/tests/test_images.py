"""`make image-test`: the four images `make images` built, run as an Airbyte platform runs them: spec, check
(a good and a refused config), discover, and both pipelines container to container against the emulators,
asserted on the emulators' state; each image's entrypoint and user as Airbyte's images have them; and the
destinations' per-record outcomes still there, in the job's log, once their container is gone.

Marked image_tests, so `make test` leaves it out; it fails, never skips, where podman is missing."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from emulators import pipelines
from emulators.pipelines import CONNECTORS

pytestmark = pytest.mark.image_tests
ROOT = Path(__file__).resolve().parents[2]


def image_of(connector: str) -> str:
    data = yaml.safe_load((ROOT / connector / "metadata.yaml").read_text())["data"]
    return f"localhost/{data['dockerRepository']}:{data['dockerImageTag']}"


@pytest.fixture(scope="module")
def images() -> dict[str, str]:
    if shutil.which("podman") is None:
        pytest.fail("the image tests need podman: as root, run images/podman-setup.sh (it installs podman and runc "
                    "from Debian's packages), then make image-test")
    built = {}
    for connector in CONNECTORS:
        image = image_of(connector)
        if subprocess.run(["podman", "image", "exists", image]).returncode != 0:
            pytest.fail(f"{image} is not built: run make images (make image-test builds them first)")
        built[connector] = image
    return built


@pytest.fixture
def containers(images, tmp_path) -> pipelines.Containers:
    tmp_path.chmod(0o755)  # the connector in the container runs as the non-root user `airbyte`
    return pipelines.Containers(images, tmp_path)


@pytest.mark.parametrize("connector", CONNECTORS)
def test_each_image_runs_its_connector_as_airbyte_images_do(images, connector):
    [inspected] = json.loads(subprocess.run(["podman", "image", "inspect", images[connector]], check=True,
                                            capture_output=True, text=True).stdout)
    config = inspected["Config"]
    env = dict(item.split("=", 1) for item in config["Env"])
    assert env["AIRBYTE_ENTRYPOINT"] == "/entrypoint.sh" and config["Entrypoint"] == ["/entrypoint.sh"]
    assert config["User"] == "airbyte"
    assert config["Labels"]["io.airbyte.name"] == connector
    assert config["Labels"]["io.airbyte.version"] == images[connector].rsplit(":", 1)[1]
    script = subprocess.run(["podman", "run", "--rm", "--entrypoint", "cat", images[connector], "/entrypoint.sh"],
                            check=True, capture_output=True, text=True).stdout
    assert f'exec {connector} "$@"' in script
    who = subprocess.run(["podman", "run", "--rm", "--entrypoint", "id", images[connector], "-u"], check=True,
                         capture_output=True, text=True).stdout.strip()
    assert who == "1000"


def test_spec_check_and_discover_in_containers(containers):
    pipelines.assert_spec_check_discover(containers)


def test_both_pipelines_container_to_container(containers):
    pipelines.assert_both_pipelines(containers)
