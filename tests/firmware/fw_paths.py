"""Where the firmware and these tests live (shared by the firmware tests)."""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIRMWARE = HERE.parents[1] / "firmware" / "micropython"
for path in (str(HERE), str(FIRMWARE)):
    if path not in sys.path:
        sys.path.insert(0, path)
