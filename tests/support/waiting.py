"""A bounded poll for tests that wait on threads, processes or brokers."""

from __future__ import annotations

import time


def wait_until(predicate, timeout: float, interval: float = 0.05, what: str = "condition"):
    """Call ``predicate`` until it returns something true (returned) or ``timeout`` seconds pass (fails)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")
