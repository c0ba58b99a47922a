"""Fixtures the reliability tests share."""
import pytest
from emulators import reliability as rel


@pytest.fixture
def guard():
    """(network guard, log capture): the test fails if anything asked a host other than the emulators."""
    guard, logs = rel.NetworkGuard(), rel.LogCapture()
    with guard.active(), logs.active():
        yield guard, logs
    assert guard.foreign == [], f"requests to hosts other than the emulators: {guard.foreign}"
