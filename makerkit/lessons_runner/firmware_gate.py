"""Before a lesson runs on a real kit: is its firmware current? If not, update it in place and go on.

:func:`firmware_check` asks the board who it is (the Firmata handshake) and judges what it runs
(:mod:`makerkit.flash.current`): current makerkit firmware, outdated makerkit firmware, or something
else (stock StandardFirmata, a plain MicroPython that does not answer Firmata). :func:`update_in_place`
then brings it up to date as pinpong does for its boards: a MicroPython board gets makerkit's files
(only those that changed; its kit id, class, WiFi and login are kept), a board flashed with
makerkit's image (Uno, Nano) gets that image. The lesson command asks once, or not at all with
``--update-firmware``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from ..catalog.boards import load_board
from ..errors import NoAnswerError
from ..flash import current as fwcurrent

CHECK_TIMEOUT = 4.0
NEW_KIT, NEW_CLASS = "kit-01", "lab"     # ids for a board that never had makerkit's firmware


@dataclass(frozen=True)
class FirmwareCheck:
    port: str
    board: str                     # the board profile id ("" when neither the kit nor --board says)
    state: fwcurrent.FirmwareState
    kit: str = ""
    class_id: str = ""

    @property
    def needs_update(self) -> bool:
        return bool(self.board) and self.state.needs_update

    def message(self, lang: str) -> str:
        running = self.state.running or ("a firmware that does not answer makerkit" if lang == "en"
                                         else "不回应 makerkit 的固件")
        if self.state.state == fwcurrent.OUTDATED:
            return (f"This kit runs {running}; this makerkit brings {self.state.wanted}." if lang == "en" else
                    f"这个套件运行的是 {running}，本 makerkit 带的是 {self.state.wanted}。")
        return (f"This board runs {running}, not makerkit's firmware." if lang == "en" else
                f"这块开发板运行的是 {running}，不是 makerkit 固件。")


def firmware_check(port: str, board: Optional[str] = None) -> FirmwareCheck:
    """Ask the board on ``port`` what it runs. A board that does not answer Firmata at all (a plain
    MicroPython, a blank chip) counts as foreign when ``board`` names a MicroPython board."""
    from ..device.probe import probe
    try:
        found = probe(port, timeout=CHECK_TIMEOUT)
    except NoAnswerError:
        profile = load_board(board) if board else None
        if profile is not None and profile.install == "deploy":
            return FirmwareCheck(port, profile.id, fwcurrent.FirmwareState(fwcurrent.FOREIGN, "", fwcurrent.wanted_firmware(profile)))
        raise
    board_id = board or found.board or ""
    running = fwcurrent.identity_firmware(found.identity) if found.is_makerkit else found.firmware
    state = fwcurrent.judge(board_id or None, running)
    return FirmwareCheck(port, board_id, state, kit=found.kit, class_id=found.class_name)


def update_in_place(check: FirmwareCheck, *, progress=None) -> str:
    """Update the kit ``check`` looked at; returns what it runs now. Raises the flashing or deploy
    error (its message says what to try)."""
    profile = load_board(check.board)
    if profile.install == "deploy":
        from ..flash.deploy import deploy

        def keep_kit(config: dict) -> str:
            return config.get("kit") or check.kit or NEW_KIT
        class_id = check.class_id or NEW_CLASS
        result = deploy(port=check.port, kit_id=keep_kit, class_id=class_id, board=profile, progress=progress)
        return fwcurrent.identity_firmware(result.identity) or fwcurrent.wanted_firmware(profile)
    from ..flash import flash_board
    flash_board(board=profile, port=check.port,
                progress=None if progress is None else (lambda phase, done, total: progress(phase, done, total)))
    return fwcurrent.wanted_firmware(profile)


__all__ = ["FirmwareCheck", "firmware_check", "update_in_place"]
