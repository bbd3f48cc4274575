"""Kit labels (issue 9): a printable sheet of the class's kits, each with its id, its class and a QR code
of them. The codes are read back with zbar (a real QR reader, as a phone would); PDF pages are A4."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from makerkit.classroom.labels import label_sheet, qr_text
from makerkit.errors import UsageError
from makerkit.store import open_store

from telemetry.test_classroom_cli import makerkit_cli

zbar = pytest.mark.skipif(shutil.which("zbarimg") is None, reason="zbarimg (apt-get install zbar-tools) is missing")


def _store(tmp_path, kits: int):
    store = open_store(f"sqlite:///{tmp_path}/p.db")
    store.add_class("7a", "七年级（1）班")
    for n in range(1, kits + 1):
        store.register_kit("7a", f"kit-{n:02d}", board="esp32")
    return store


def _decode(path) -> list[str]:
    out = subprocess.run(["zbarimg", "--quiet", "--raw", str(path)], capture_output=True, text=True, timeout=60)
    return sorted(line for line in out.stdout.splitlines() if line)


@zbar
def test_png_sheets_carry_a_readable_code_per_kit(tmp_path):
    with _store(tmp_path, 26) as store:                       # 24 labels a page: two pages
        done = label_sheet(store, "7a", tmp_path / "labels.png")
    assert done["pages"] == 2 and [p.rsplit("/", 1)[-1] for p in done["files"]] == ["labels.png", "labels-2.png"]
    codes = _decode(done["files"][0]) + _decode(done["files"][1])
    assert sorted(codes) == sorted(qr_text("7a", f"kit-{n:02d}") for n in range(1, 27))
    from PIL import Image
    with Image.open(done["files"][0]) as img:
        assert img.size == (2480, 3508)                       # A4 at 300 dpi


def test_pdf_sheet_through_the_cli(tmp_path):
    with _store(tmp_path, 3):
        pass
    out = tmp_path / "out" / "labels.pdf"
    result = makerkit_cli("class", "labels", "--db", f"sqlite:///{tmp_path}/p.db", "--class", "7a",
                          "--out", str(out), "--kit", "kit-02", "--kit", "kit-03")
    assert result.returncode == 0, result.stderr
    assert "2 labels on 1 page(s)" in result.stdout
    data = out.read_bytes()
    assert data.startswith(b"%PDF") and data.count(b"/Type /Page\n") == 1
    assert b"/MediaBox [ 0 0 595.2 841.92 ]" in data           # A4 in points


def test_refusals_are_clear(tmp_path):
    with _store(tmp_path, 0) as store:
        with pytest.raises(UsageError, match="no kits yet"):
            label_sheet(store, "7a", tmp_path / "l.pdf")
        with pytest.raises(UsageError, match=r"\.png or \.pdf"):
            label_sheet(store, "7a", tmp_path / "l.jpg")
        with pytest.raises(UsageError, match="no class"):
            label_sheet(store, "9z", tmp_path / "l.pdf")
