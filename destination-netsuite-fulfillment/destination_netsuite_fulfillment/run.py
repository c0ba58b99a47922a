import sys

from .destination import DestinationNetsuiteFulfillment


def run() -> None:
    DestinationNetsuiteFulfillment().run(sys.argv[1:])
