import connector_start  # noqa: F401  (first: a faster start, see its docstring)

from .destination import DestinationShipstationInventory

__all__ = ["DestinationShipstationInventory"]
