"""Quantities between ShipStation's each and the unit a sales order line was sold in (a case of 12).

ShipStation counts items one by one; NetSuite keeps a line's quantity in its base unit for SuiteQL and takes the
fulfillment line's quantity in the line's own unit. A line sold in cases of 12 with 24 shipped is fulfilled as
2; 18 shipped cannot be written as whole cases and is refused rather than rounded.
"""
from __future__ import annotations

from dataclasses import dataclass

EPSILON = 1e-9


@dataclass(frozen=True)
class LineUnit:
    name: str | None = None  # e.g. "Case"; None for the base unit
    rate: float = 1.0  # base units per one of this unit

    @property
    def is_base(self) -> bool:
        return abs(self.rate - 1.0) < EPSILON


class NotWholeUnits(ValueError):
    pass


def to_line_units(base_quantity: float, unit: LineUnit) -> float:
    """`base_quantity` eaches as a quantity of the line's unit; NotWholeUnits when it is not a whole number."""
    if unit.is_base:
        return base_quantity
    value = base_quantity / unit.rate
    if abs(value - round(value)) > EPSILON:
        raise NotWholeUnits(f"{_number(base_quantity)} each is not a whole number of {unit.name or 'the unit'} "
                            f"({_number(unit.rate)} each), the unit the line was sold in")
    return float(round(value))


def describe(base_quantity: float, unit: LineUnit) -> str | None:
    """The conversion in words for the audit, or None when there was none."""
    if unit.is_base:
        return None
    return (f"{_number(base_quantity)} each = {_number(to_line_units(base_quantity, unit))} x "
            f"{unit.name or 'unit'} ({_number(unit.rate)} each)")


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value
