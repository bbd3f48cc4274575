"""Where the firmware and these tests live, for the runs under MicroPython (``MICROPYPATH``, ``cwd``).

Under CPython nothing is put on ``sys.path``: ``mkfw`` is the installed package (the editable
install maps it onto ``firmware/micropython/mkfw``), and the cases here (``mp_cases``, ``fakehal``,
...) import each other by plain name because this folder has no ``__init__.py``, so pytest's default
("prepend") import mode puts it on ``sys.path`` — the same names the MicroPython runs find through
``MICROPYPATH``.
"""

from pathlib import Path

HERE = Path(__file__).resolve().parent
FIRMWARE = HERE.parents[1] / "firmware" / "micropython"
