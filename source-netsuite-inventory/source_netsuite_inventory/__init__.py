from .source import SourceNetsuiteInventory

__all__ = ["SourceNetsuiteInventory"]
