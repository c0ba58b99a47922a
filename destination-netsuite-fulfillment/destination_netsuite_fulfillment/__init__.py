from .destination import DestinationNetsuiteFulfillment

__all__ = ["DestinationNetsuiteFulfillment"]
