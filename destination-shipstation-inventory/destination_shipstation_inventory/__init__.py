from .destination import DestinationShipstationInventory

__all__ = ["DestinationShipstationInventory"]
