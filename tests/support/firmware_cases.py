"""The firmware cases in ``tests/firmware`` (``mp_cases.py``, ``mp_outbox_cases.py``, ... and the fakes
they use, ``fakehal.py`` and ``fake_machine.py``), for running them under CPython and MicroPython.

Those files stay in ``tests/firmware``: the real ``micropython`` interpreter runs them there by path
(``micropython mp_cases.py`` with that folder as ``cwd`` and on ``MICROPYPATH``, after ``FIRMWARE``),
and there they import each other by plain name (``from fakehal import FakeHal``). :func:`load_case`
gives CPython the same modules under the same plain names, loaded by path from ``CASES_DIR``: nothing
is put on ``sys.path``, and nothing depends on pytest's import mode putting that folder there. The
firmware itself (``mkfw``) is the installed package under CPython (the editable install maps it onto
``firmware/micropython/mkfw``).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[2]
FIRMWARE = REPO / "firmware" / "micropython"      # MICROPYPATH's entry for mkfw
CASES_DIR = REPO / "tests" / "firmware"           # the cases: cwd and MICROPYPATH entry of the runs
SIBLINGS = ("fakehal", "fake_machine")            # what the case files import from one another


def _load(name: str) -> ModuleType:
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, CASES_DIR / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def load_case(name: str) -> ModuleType:
    """``tests/firmware/<name>.py`` as a module named ``name``, its siblings (``fakehal``,
    ``fake_machine``) loaded first under their own names, as MicroPython finds them."""
    for sibling in SIBLINGS:
        _load(sibling)
    return _load(name)
