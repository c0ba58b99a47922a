import connector_start  # noqa: F401  (first: a faster start, see its docstring)

from .source import SourceShipstation

__all__ = ["SourceShipstation"]
