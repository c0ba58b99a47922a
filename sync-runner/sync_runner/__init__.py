"""Runs the NetSuite/ShipStation connections locally on PyAirbyte: once, on schedules, or when the relay asks."""
from .config import ConfigError, load_config
from .connection import RunFailed, RunSummary
from .runner import Runner, run_once
from .scheduler import Scheduler

__all__ = ["ConfigError", "RunFailed", "RunSummary", "Runner", "Scheduler", "load_config", "run_once"]
