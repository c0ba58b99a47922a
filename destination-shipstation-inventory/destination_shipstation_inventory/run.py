import sys

from .destination import DestinationShipstationInventory


def run() -> None:
    DestinationShipstationInventory().run(sys.argv[1:])
