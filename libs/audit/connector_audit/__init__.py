"""Every record a destination receives gets exactly one outcome a person can read: as one structured log line,
appended to a local audit file when configured, and counted in the summary at the end of the sync."""
from .trail import AuditTrail, Outcome

__all__ = ["AuditTrail", "Outcome"]
