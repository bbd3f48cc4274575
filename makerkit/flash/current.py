"""Is a kit's firmware current? One judgement for ``class status``, ``class update`` and lessons.

A kit names its firmware as ``NAME VERSION[+BUILD]`` (MK_IDENTITY, its status message, the class
inventory): ``makerkit 1.0.0+0a1b2c3d4e5f``. On MicroPython boards ``BUILD`` is the digest of the
firmware files the last ``makerkit deploy`` wrote (:func:`makerkit.flash.deploy.firmware_build`), so a
kit whose files differ from this makerkit's is *outdated* even at the same version; an AVR kit carries
makerkit's packaged ``.hex`` and is judged by its version.

States: ``current``, ``outdated`` (makerkit firmware, older or another build), ``foreign`` (other
firmware: StandardFirmata, a plain MicroPython, a student's own sketch) and ``unknown`` (never seen).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..catalog.boards import BoardProfile, load_board
from ..resources import packaged_firmware_build

CURRENT, OUTDATED, FOREIGN, UNKNOWN = "current", "outdated", "foreign", "unknown"
_FW = re.compile(r"^(?P<name>\S+)\s+(?P<version>[^\s+]+)(?:\+(?P<build>[0-9a-z]+))?$")


@dataclass(frozen=True)
class FirmwareState:
    state: str
    running: str          # what the kit runs ("" when unknown)
    wanted: str           # what this makerkit would put on it

    @property
    def needs_update(self) -> bool:
        return self.state in (OUTDATED, FOREIGN)


def wanted_firmware(board: str | BoardProfile) -> str:
    """What this makerkit installs on the board: ``makerkit 1.0.0+BUILD`` (MicroPython boards) or
    ``makerkit 1.0.0`` (boards flashed with makerkit's image)."""
    from mkfw import wire
    profile = load_board(board)
    text = f"{wire.FIRMWARE_NAME} {wire.FIRMWARE_VERSION}"
    return f"{text}+{packaged_firmware_build()}" if profile.install == "deploy" else text


def judge(board: str | BoardProfile | None, running: str | None) -> FirmwareState:
    """The state of a kit that runs ``running`` (e.g. ``"makerkit 1.0.0+0a1b..."``, ``"StandardFirmata
    2.5"``, None when never seen) on ``board`` (None: a kit registered without a board type)."""
    running = (running or "").strip()
    wanted = wanted_firmware(board) if board else ""
    if not running:
        return FirmwareState(UNKNOWN, "", wanted)
    match = _FW.match(running)
    if match is None or match["name"] != "makerkit":
        return FirmwareState(FOREIGN, running, wanted)
    if not wanted:
        return FirmwareState(UNKNOWN, running, wanted)
    want = _FW.match(wanted)
    have, need = _version(match["version"]), _version(want["version"])
    if have != need:     # newer than this makerkit: left alone (a teacher's newer laptop deployed it)
        return FirmwareState(OUTDATED if have < need else CURRENT, running, wanted)
    if want["build"] and match["build"] != want["build"]:
        return FirmwareState(OUTDATED, running, wanted)
    return FirmwareState(CURRENT, running, wanted)


def _version(text: str) -> tuple[int, ...]:
    parts = []
    for piece in text.split("."):
        digits = re.match(r"\d+", piece)
        parts.append(int(digits.group()) if digits else 0)
    return tuple(parts)


def identity_firmware(identity: dict) -> str:
    """``NAME VERSION[+BUILD]`` from an MK_IDENTITY answer."""
    text = f"{identity.get('fw') or ''} {identity.get('version') or ''}".strip()
    return f"{text}+{identity['build']}" if text and identity.get("build") else text


__all__ = ["CURRENT", "FOREIGN", "FirmwareState", "OUTDATED", "UNKNOWN", "identity_firmware", "judge",
           "wanted_firmware"]
