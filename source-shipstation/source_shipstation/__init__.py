from .source import SourceShipstation

__all__ = ["SourceShipstation"]
