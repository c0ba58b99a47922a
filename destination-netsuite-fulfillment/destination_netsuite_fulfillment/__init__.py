import connector_start  # noqa: F401  (first: a faster start, see its docstring)

from .destination import DestinationNetsuiteFulfillment

__all__ = ["DestinationNetsuiteFulfillment"]
