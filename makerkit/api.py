"""``makerkit.connect``: open a kit (real or virtual) and return a ready :class:`~makerkit.device.kit.Kit`."""

from __future__ import annotations

from .catalog import load_board
from .catalog.identify import board_from_pin_count
from .errors import PortNotFoundError, UnknownBoardError, UsageError
from .device.client import FirmataClient
from .device.handshake import handshake
from .device.kit import Kit

CLOCKS = ("virtual", "real")


def connect(url: str | None = None, *, board: str | None = None, timeout: float = 5.0,
            clock: str = "real", fs_dir=None) -> Kit:
    """Connect to a kit and return a :class:`Kit` (use it in a ``with`` block, or ``close()`` it).

    ``url``: a serial port (``"COM3"``, ``"/dev/ttyUSB0"``), ``"socket://HOST:PORT"``,
    ``"rfc2217://HOST:PORT"``, ``"sim://uno"`` for a virtual kit in this program, or ``None`` to
    use the one board plugged in. ``board``: the board profile (``"uno"``, ``"esp32"``...) when the
    firmware cannot tell. ``timeout``: seconds to wait for the board to answer. ``clock`` (virtual
    kits only): ``"real"`` (the default: the virtual kit keeps wall-clock time like a board, so
    ``time.sleep()`` and ``makerkit.pause()`` work in a plain script) or ``"virtual"`` (simulated
    time moves only with ``kit.sleep``: fast and exact, what lesson checkers and tests use). ``fs_dir`` (virtual kits only): a folder that
    holds the kit's flash filesystem, so its files and its state (boot counter, next ``seq``) survive
    like a real board's.

        with makerkit.connect("sim://uno") as kit:
            kit.led("D13").on()
    """
    _check_options(clock, timeout)
    profile = load_board(board) if board else None
    usb_candidates: tuple[str, ...] = ()
    if url is None:
        url, usb_candidates = _detect_port()
    if not isinstance(url, str) or not url.strip():
        raise UsageError(en=f"Give the kit's port or URL, not {url!r}.", zh=f"请给出套件的串口或地址，而不是 {url!r}。")
    url = url.strip()
    if url.lower().startswith("sim://"):
        sim, profile = _virtual_kit(url, profile, board, clock, fs_dir)
        transport, bauds = sim.transport, (None,)
    else:
        sim = None
        transport, bauds, profile = _open_real(url, profile, usb_candidates, fs_dir)
    client = FirmataClient(transport)
    try:
        client.start()
        result = handshake(client, timeout=timeout, bauds=bauds,
                           switch_on_garbage=profile is not None and profile.boot_silent)
        if board is None:   # the firmware's word beats a USB-ID guess
            profile = _profile_from(result, url, guess=profile)
    except BaseException:
        client.close()
        if sim is not None:
            sim.close()
        raise
    return Kit(client, profile, firmware=result.firmware, identity=result.identity, sim=sim,
               warnings=result.warnings, handshake=result)


def _check_options(clock, timeout) -> None:
    if clock not in CLOCKS:
        raise UsageError(en=f"clock must be 'virtual' or 'real', not {clock!r}.",
                         zh=f"clock 只能是 'virtual' 或 'real'，而不是 {clock!r}。")
    if not isinstance(timeout, (int, float)) or timeout <= 0:
        raise UsageError(en=f"timeout must be a number of seconds above 0, not {timeout!r}.",
                         zh=f"timeout 必须是大于 0 的秒数，而不是 {timeout!r}。")


def _virtual_kit(url: str, profile, board, clock: str, fs_dir):
    """A virtual kit for ``sim://BOARD`` and its board profile."""
    from .sim import VirtualKit
    name = url[len("sim://"):].strip("/") or (profile.id if profile else "uno")
    sim_profile = load_board(name)
    if profile is not None and profile.id != sim_profile.id:
        raise UsageError(en=f"{url} is a virtual {sim_profile.id}, but board={board!r} was given.",
                         zh=f"{url} 是虚拟的 {sim_profile.id}，但是给出的 board={board!r}。")
    return VirtualKit(sim_profile.id, clock=clock, fs_dir=fs_dir), sim_profile


def _open_real(url: str, profile, usb_candidates: tuple[str, ...], fs_dir):
    """Open a real board's port at its firmware's speed; returns the transport, the speeds the
    handshake tries (the second: stock StandardFirmata's, on serial ports) and the profile guess."""
    if fs_dir is not None:
        raise UsageError(en=f"fs_dir is for virtual kits (sim://...); {url} is a real board with its own flash.",
                         zh=f"fs_dir 只用于虚拟套件（sim://...）；{url} 是真实开发板，它有自己的闪存。")
    from .transport import open_transport
    if profile is None and not usb_candidates and "://" not in url:
        usb_candidates = _usb_candidates(url)
    if profile is None and len(usb_candidates) == 1:
        profile = load_board(usb_candidates[0])
    baud = profile.default_baud if profile else 115200
    transport = open_transport(url, baud=baud)
    bauds: tuple = (None,)
    if "://" not in url or url.lower().startswith("rfc2217://"):
        fallback = profile.firmata_baud if profile else 57600
        if fallback != baud:
            bauds = (baud, fallback)
    return transport, bauds, profile


def _detect_port() -> tuple[str, tuple[str, ...]]:
    """The one connected board's port, and the board ids its USB IDs suggest."""
    from .transport.ports import list_ports
    ports = list_ports()
    boards = [p for p in ports if p.is_likely_board]
    if len(boards) == 1:
        return boards[0].port, boards[0].candidates
    if not boards:
        seen = ", ".join(p.port for p in ports) or "none"
        raise PortNotFoundError(
            en=f"No board is plugged in (serial ports found: {seen}).",
            zh=f"没有找到插着的开发板（找到的串口：{seen}）。")
    listing = "; ".join(f"{p.port} ({p.bridge or p.description or '?'})" for p in boards)
    raise UsageError(
        en=f"Several boards are plugged in: {listing}. Say which one to use.",
        zh=f"插着好几块开发板：{listing}。请指定用哪一块。",
        hint_en=f"Pass the port, e.g. makerkit.connect({boards[0].port!r}).",
        hint_zh=f"请给出串口，例如 makerkit.connect({boards[0].port!r})。")


def _usb_candidates(port: str) -> tuple[str, ...]:
    """Board ids the USB IDs of ``port`` suggest (none when the OS cannot tell)."""
    from .transport.ports import list_ports
    try:
        infos = list_ports()
    except Exception:  # noqa: BLE001 - discovery is only a hint
        return ()
    return next((p.candidates for p in infos if p.port == port), ())


def _profile_from(result, url: str, *, guess=None):
    """The board profile from the firmware's identity, else the USB-ID ``guess``, else from the
    size of the firmware's pin table."""
    if result.identity is not None and result.identity.board:
        try:
            return load_board(result.identity.board)
        except UnknownBoardError:
            pass
    if guess is not None:
        return guess
    found = board_from_pin_count(len(result.answers.capabilities or ()))
    if found is not None:
        return found
    raise UnknownBoardError(
        en=f"makerkit cannot tell which board is on {url} ({result.firmware.name} does not say).",
        zh=f"makerkit 无法判断 {url} 上是哪种开发板（{result.firmware.name} 固件没有说明）。",
        hint_en="Say it: makerkit.connect(PORT, board=\"uno\") (`makerkit boards` lists the names).",
        hint_zh="请指定开发板：makerkit.connect(串口, board=\"uno\")（`makerkit boards` 可列出名称）。")
