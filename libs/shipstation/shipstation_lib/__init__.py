"""Shared ShipStation client pieces for source-shipstation and destination-shipstation-inventory."""
