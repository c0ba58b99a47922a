import sys

from airbyte_cdk.entrypoint import launch

from .source import SourceNetsuiteInventory


def run() -> None:
    launch(SourceNetsuiteInventory(), sys.argv[1:])
