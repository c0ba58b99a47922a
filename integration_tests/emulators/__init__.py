"""Local emulators of the NetSuite and ShipStation APIs, strict enough to test real clients against."""
