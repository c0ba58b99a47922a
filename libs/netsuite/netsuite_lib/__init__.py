"""Shared NetSuite client pieces for source-netsuite-inventory and destination-netsuite-fulfillment."""
