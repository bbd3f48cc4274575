"""One worker at a time for the steps that build or fetch into the shared caches (the AVR emulator and
firmware builds, StandardFirmata, the MicroPython image, Node-RED): the suite runs in several pytest
workers (scripts/test.sh), and the first to need a build makes it while the others wait for it."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock

LOCKS = Path(__file__).resolve().parents[2] / ".cache" / "locks"
WAIT = 1200.0          # seconds: longer than any build or download here takes (each has its own timeout)


@contextmanager
def shared_step(name: str):
    LOCKS.mkdir(parents=True, exist_ok=True)
    with FileLock(str(LOCKS / f"{name}.lock"), timeout=WAIT):
        yield
