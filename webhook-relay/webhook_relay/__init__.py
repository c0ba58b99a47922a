"""Webhook relay: ShipStation notifications in, verified and stored, resources fetched, sync 1 triggered."""
