"""`sync-runner ui`: the operations page over the audit store (audit_store.py), server-rendered with Starlette and
Jinja2 so that everything but the charts' hover works with JavaScript off (the charts are inline SVG)."""
