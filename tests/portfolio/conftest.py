"""Fixtures for the portfolio tests: the telemetry tests' real mosquitto and both store engines, a
class roster file, a real PNG photo, the CLI run in-process, and real headless Chromium."""

from __future__ import annotations

import struct
import zlib

import pytest

from makerkit.cli import main

from telemetry.conftest import broker, db_url, wait_until  # noqa: F401 - fixtures shared with the telemetry tests

ROSTER = "\ufeff姓名,学号,小组\n王小明,s-wxm001,机器人组\n李华,s-lh0002,机器人组\n张伟,s-zw0003,气象组\n"
NAMES = {"s-wxm001": "王小明", "s-lh0002": "李华", "s-zw0003": "张伟"}


def png(width: int = 48, height: int = 32) -> bytes:
    """A real PNG (an orange-blue gradient) that a browser decodes."""
    raw = b"".join(b"\x00" + b"".join(bytes((255 * x // width, 120, 255 * y // height)) for x in range(width))
                   for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


class Cli:
    """``makerkit`` in this process: returns (exit code, stdout, stderr)."""

    def __init__(self, capsys):
        self.capsys = capsys

    def __call__(self, *args) -> tuple[int, str, str]:
        self.capsys.readouterr()
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:
            code = exc.code
        out, err = self.capsys.readouterr()
        return code, out, err

    def ok(self, *args) -> str:
        code, out, err = self(*args)
        assert code == 0, f"makerkit {' '.join(map(str, args))} -> {code}\n{out}\n{err}"
        return out


@pytest.fixture
def cli(capsys):
    return Cli(capsys)


@pytest.fixture
def roster(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(ROSTER.encode("utf-8"))
    return path


