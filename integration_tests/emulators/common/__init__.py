"""Pieces both emulators share: the server runner, the clock, latency and fault injection, the merchant."""
