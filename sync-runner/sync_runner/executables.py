"""Where a connector's console script is: next to this Python first (the project's .venv, where `make install`
puts them, even when .venv/bin is not on PATH), then on PATH."""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path


class ConnectorNotFound(RuntimeError):
    pass


def find_executable(name: str) -> Path:
    beside = Path(sys.executable).parent / name
    if beside.is_file() and os.access(beside, os.X_OK):
        return beside
    on_path = shutil.which(name)
    if on_path:
        return Path(on_path)
    raise ConnectorNotFound(f"connector command {name!r} is neither next to {sys.executable} nor on PATH; "
                            "install its package (make install)")
