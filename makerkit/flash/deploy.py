"""Deploy the makerkit MicroPython firmware onto a board (the one module that imports mpremote).

``deploy(port="/dev/ttyUSB0", kit_id="kit-07", class_id="7a", wifi_ssid=..., broker=...)``:

1. opens the port with mpremote's serial transport and gets the MicroPython REPL back
   (PROTOCOL.md section 4): Ctrl-C twice (a board at the REPL or running a plain program, or the
   makerkit firmware inside its 500 ms boot window), else the MK_REPL sysex ``F0 04 F7`` (a running
   makerkit firmware hands the port back), else a reset pulse followed by Ctrl-C bytes during the
   boot window;
2. enters the raw REPL and compares every file by SHA-256 computed on the board (mpremote's
   ``fs_hashfile``), then writes only the files that changed: ``/mkfw/*.py``, ``/mkfw_board.json``
   (the pin profile, built from ``boards/<id>.toml``), ``/ca.der`` (the class CA, for a broker given
   as ``mqtts://HOST:PORT?ca=CERTS/ca.pem``), ``/makerkit.json`` (the kit's config) and ``/main.py``
   last, each through a temporary file and a rename;
3. soft-resets (Ctrl-D at the friendly REPL: ``main.py`` starts the firmware) and confirms that the
   board answers Firmata's MK_IDENTITY with the new kit id.

The kit keeps its incarnation (``inc``) while its counters file (``/mkfw_state.json``) is intact; a
new, erased or older kit gets a fresh one (:mod:`makerkit.flash.enrol`). With ``db`` (a portfolio
URL or an open store) the kit gets its own broker login from the class's access list and is
registered in the class's inventory (board, hardware id, incarnation, firmware version).

Configuration options left as ``None`` keep the value already on the board; ``""`` clears it.
Secrets (WiFi and broker passwords) go to the board only: they never appear in log records,
progress callbacks, results or error messages.
"""

from __future__ import annotations

import ast
import hashlib
import re
import json
import logging
import time
from dataclasses import dataclass, field
from typing import Callable, Optional

from mpremote.transport import TransportError, TransportExecError
from mpremote.transport_serial import SerialTransport

from ..catalog.boards import BoardProfile, load_board, load_boards
from ..errors import (DisconnectedError, FlashError, MakerkitError, NoAnswerError, PortNotFoundError,
                      UsageError)
from ..protocol import firmata
from . import enrol
from .confirm import confirm_identity
from .kit_files import (SECRET_KEYS, _config_bytes, _Secrets, board_profile_json, build_config,  # noqa: F401
                        firmware_build, firmware_files, kit_broker)

_log = logging.getLogger(__name__)
Progress = Callable[[str, int, int], None]
CONFIG_PATH = "/makerkit.json"
CA_PATH = "/ca.der"
BOARD_PATH = "/mkfw_board.json"
CHUNK = 2048


@dataclass(frozen=True)
class DeployResult:
    """What a deploy did. ``copied``/``skipped`` list board paths; ``repl_via`` says how the REPL
    was reached (``ctrl-c``, ``mk_repl`` or ``boot-window``)."""
    port: str
    board: str
    kit: str
    class_id: str
    copied: tuple[str, ...]
    skipped: tuple[str, ...]
    removed: tuple[str, ...]
    confirmed: bool
    repl_via: str
    seconds: float
    identity: dict = field(default_factory=dict, compare=False)
    inc: str = ""                  # the incarnation the kit runs in
    username: str = ""             # the kit's broker login ("" when none); its password is not here
    inventory: dict | None = None  # the kit's inventory row after a deploy with ``db``


# -- talking to the board ---------------------------------------------------------------------------

def _open(port: str, baud: int, timeout: float) -> SerialTransport:
    try:
        return SerialTransport(port, baudrate=baud, timeout=timeout)
    except TransportError:
        pass
    from ..transport import open_transport          # names the real cause (missing, busy, permission)
    probe = open_transport(port, baud=baud)
    probe.close()
    raise PortNotFoundError(en=f"makerkit could not open {port}.", zh=f"makerkit 无法打开 {port}。",
                            port=port)


def _read_for(ser, seconds: float, until: bytes, buf: bytearray) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        chunk = ser.read(256)
        if chunk:
            buf += chunk
            if until in buf:
                return True
    return until in buf


def _reach_repl(ser, port: str, timeout: float) -> str:
    ser.timeout = 0.05
    buf = bytearray()
    ser.write(b"\x03\x03")                         # REPL, plain program, or makerkit's boot window
    if _read_for(ser, 0.6, b">>> ", buf):
        return "ctrl-c"
    ser.write(firmata.mk_repl())                    # a running makerkit firmware hands the port back
    if _read_for(ser, max(1.0, timeout / 4), b">>> ", buf):
        return "mk_repl"
    try:                                            # reset (EN via RTS), then Ctrl-C in the boot window
        ser.dtr = False
        ser.rts = True
        time.sleep(0.1)
        ser.rts = False
    except (OSError, ValueError, AttributeError):
        pass
    end = time.monotonic() + 3.0                   # ROM boot + MicroPython start + the 500 ms window
    while time.monotonic() < end:
        ser.write(b"\x03")
        if _read_for(ser, 0.05, b">>> ", buf):
            return "boot-window"
    raise NoAnswerError(
        en=f"The board on {port} did not give makerkit its MicroPython prompt.",
        zh=f"{port} 上的开发板没有把 MicroPython 命令行交给 makerkit。",
        hint_en="Is MicroPython on the board? Flash it with `makerkit flash --board esp32 --port PORT "
                "--firmware micropython.bin`. If it is, press the board's reset (EN) button and run "
                "`makerkit deploy` again at once.",
        hint_zh="开发板上有 MicroPython 吗？请先用 `makerkit flash --board esp32 --port 串口 --firmware "
                "micropython.bin` 烧录。如果有，请按一下复位（EN）键，然后马上再运行 `makerkit deploy`。",
        port=port)


def _board_info(tr: SerialTransport) -> tuple[str, str]:
    out = tr.exec("import sys\ntry:\n import os\n m=os.uname().machine\nexcept Exception:\n"
                  " m=sys.platform\nprint(repr((sys.implementation.name, m)))")
    return ast.literal_eval(out.decode().strip())


def _read_json(tr: SerialTransport, path: str) -> dict:
    try:
        return json.loads(bytes(tr.fs_readfile(path)).decode())
    except (OSError, ValueError, TransportError):
        return {}


def _choose_board(board, tr: SerialTransport, machine: str, port: str) -> BoardProfile:
    if board is not None:
        return load_board(board)
    existing = _read_json(tr, BOARD_PATH).get("id")
    if existing:
        return load_board(existing)
    key = machine.upper().replace("-", "")
    markers = sorted(((name, profile) for profile in load_boards().values() for name in profile.machine_names),
                     key=lambda item: -len(item[0]))   # "ESP32S3" before "ESP32"
    for marker, profile in markers:
        if marker in key:
            return profile
    raise UsageError(en=f"makerkit cannot tell which board is on {port} (it says {machine!r}).",
                     zh=f"makerkit 分辨不出 {port} 上是哪种开发板（它报告的是 {machine!r}）。",
                     hint_en="Pass --board esp32, --board esp32s3 or --board mpython.",
                     hint_zh="请加上 --board esp32、--board esp32s3 或 --board mpython。", port=port)


_HASH_ALL = """import hashlib
def _mk_h(p):
 try:
  f = open(p, 'rb')
 except OSError:
  return None
 h = hashlib.sha256()
 b = bytearray(1024)
 with f:
  while True:
   n = f.readinto(b)
   if not n:
    break
   h.update(b if n == 1024 else b[:n])
 return h.digest()
print(repr([_mk_h(p) for p in {paths!r}]))
"""


def _remote_hashes(tr: SerialTransport, paths: list[str]) -> list[Optional[bytes]]:
    """SHA-256 of each board file (None when missing), computed on the board in one raw-REPL run;
    boards without hashlib fall back to mpremote's fs_hashfile, which reads the file back."""
    try:
        out = tr.exec(_HASH_ALL.format(paths=paths))
        return [None if h is None else bytes(h) for h in ast.literal_eval(out.decode().strip())]
    except TransportExecError as exc:
        if "hashlib" not in exc.error_output and "ImportError" not in exc.error_output:
            raise
    hashes = []
    for path in paths:
        try:
            hashes.append(bytes(tr.fs_hashfile(path, "sha256")))
        except OSError:
            hashes.append(None)
    return hashes


def _write(tr: SerialTransport, path: str, data: bytes, on_chunk: Callable[[int], None]) -> None:
    tmp = path + ".part"
    written = 0

    def chunk_done(done, _total):
        nonlocal written
        on_chunk(done - written)
        written = done
    tr.fs_writefile(tmp, data, chunk_size=CHUNK, progress_callback=chunk_done)
    # relative names from "/": some VFS drivers (the unix port's VfsPosix at /) mishandle absolute renames
    old_rel, new_rel = tmp.lstrip("/"), path.lstrip("/")
    tr.exec(f"import os\nos.chdir('/')\ntry:\n os.remove({new_rel!r})\nexcept OSError:\n pass\n"
            f"os.rename({old_rel!r}, {new_rel!r})")


KitChooser = Callable[[dict], str]
"""``choose(config_on_the_board) -> kit id``: picks the kit id once the board's config is read."""


def deploy(*, port: str, kit_id: str | KitChooser, class_id: str, wifi_ssid: Optional[str] = None,
           wifi_password: Optional[str] = None, broker: Optional[str] = None,
           username: Optional[str] = None, password: Optional[str] = None,
           interval: Optional[int] = None, board: str | BoardProfile | None = None,
           baud: int = 115200, confirm: bool = True, timeout: float = 10.0,
           db=None, new_incarnation: bool = False,
           progress: Optional[Progress] = None) -> DeployResult:
    """Copy the firmware and the kit's config onto the MicroPython board at ``port``; see the module
    documentation. ``progress(phase, done, total)`` sees ``connect``, ``compare`` (files),
    ``write`` (bytes of changed files), ``reset``, ``confirm`` and ``done`` — never file contents.
    ``db`` (URL or store) generates the kit's own login instead of ``username``/``password`` and
    registers the kit; ``new_incarnation`` starts the kit's counters again in a fresh incarnation.
    ``kit_id`` may be a :data:`KitChooser`, called with the board's current config (class set
    provisioning keeps the id a board already carries)."""
    broker, ca = kit_broker(broker)                                  # mqtts://: the class CA goes along
    options = dict(wifi_ssid=wifi_ssid, wifi_password=wifi_password, broker=broker,
                   username=username, password=password, interval=interval)
    build_config({}, kit_id=kit_id if isinstance(kit_id, str) else "kit", class_id=class_id,
                 **options)                                          # refuse bad values before the port
    run = dict(port=port, kit_id=kit_id, class_id=class_id, options=options, board=board, baud=baud,
               confirm=confirm, timeout=timeout, new_incarnation=new_incarnation, progress=progress, ca=ca)
    if db is None:
        return _deploy(store=None, **run)
    if username is not None or password is not None:
        raise UsageError(en="With --db the kit gets its own login: leave --username and the password out.",
                         zh="使用 --db 时套件会得到自己的登录账号：请不要再给 --username 和密码。",
                         hint_en="Drop --username (and MAKERKIT_MQTT_PASSWORD), or drop --db.",
                         hint_zh="请去掉 --username（以及 MAKERKIT_MQTT_PASSWORD），或者去掉 --db。", key="username")
    if not isinstance(db, str):
        enrol.check_class(db, class_id)
        return _deploy(store=db, **run)
    from ..store import open_store
    with open_store(db) as store:
        enrol.check_class(store, class_id)
        return _deploy(store=store, **run)


def _deploy(*, port: str, kit_id: str | KitChooser, class_id: str, options: dict, store, board, baud: int, confirm: bool,
            timeout: float, new_incarnation: bool, progress: Optional[Progress], ca: Optional[bytes]) -> DeployResult:
    job = _Job(port=port, class_id=class_id, options=options, store=store, confirm=confirm, timeout=timeout,
               report=progress or (lambda phase, done, total: None), ca=ca)
    started = time.monotonic()
    job.report("connect", 0, 1)
    tr = _open(port, baud, timeout)
    try:
        try:
            via, profile = _enter(tr, port, board, timeout)
            job.report("connect", 1, 1)
            config, inc, files = job.plan(tr, kit_id, new_incarnation, profile)
            changed, skipped, removed = job.copy(tr, files)
            identity = job.restart(tr, config)
            inventory = None
            if store is not None:
                inventory = enrol.register(store, class_id=config["class"], kit_id=config["kit"], board=profile.id,
                                           inc=inc, identity=identity, build=config["build"])
            job.report("done", len(files), len(files))
            return DeployResult(port=port, board=profile.id, kit=config["kit"], class_id=config["class"],
                                copied=tuple(changed), skipped=tuple(skipped), removed=tuple(removed),
                                confirmed=bool(identity), repl_via=via,
                                seconds=time.monotonic() - started, identity=identity,
                                inc=identity.get("inc") or inc, username=config.get("username") or "",
                                inventory=inventory)
        except MakerkitError:
            raise
        except (TransportExecError, TransportError, OSError, ValueError) as exc:
            raise _explain(exc, port, job.scrub) from None
    finally:
        try:
            tr.close()
        except OSError:
            pass


def _enter(tr: SerialTransport, port: str, board, timeout: float) -> tuple[str, BoardProfile]:
    """Reach the raw REPL and check it is MicroPython; returns how the REPL was reached and the board."""
    via = _reach_repl(tr.serial, port, timeout)
    tr.serial.timeout = timeout
    tr.enter_raw_repl(soft_reset=False, timeout_overall=timeout)
    implementation, machine = _board_info(tr)
    if implementation != "micropython":
        raise FlashError(en=f"The board on {port} runs {implementation}, not MicroPython.",
                         zh=f"{port} 上的开发板运行的是 {implementation}，不是 MicroPython。",
                         hint_en="Flash MicroPython first: `makerkit flash --board esp32 --port PORT "
                                 "--firmware micropython.bin`.",
                         hint_zh="请先烧录 MicroPython：`makerkit flash --board esp32 --port 串口 "
                                 "--firmware micropython.bin`。", port=port)
    return via, _choose_board(board, tr, machine, port)


@dataclass
class _Job:
    """One deploy's settings and the secrets it must keep out of every message."""
    port: str
    class_id: str
    options: dict
    store: object
    confirm: bool
    timeout: float
    report: Progress
    ca: Optional[bytes] = None          # the class CA (DER) for a kit on mqtts://
    scrub: _Secrets = None

    def __post_init__(self):
        self.scrub = _Secrets([self.options["wifi_password"], self.options["password"]])

    def plan(self, tr: SerialTransport, kit_id, new_incarnation: bool,
             profile: BoardProfile) -> tuple[dict, str, dict]:
        """The kit's new config (its own login when there is a store), its incarnation and the files
        to put on the board, in the order they are written (``main.py`` last)."""
        current = _read_json(tr, CONFIG_PATH)
        if not isinstance(kit_id, str):
            kit_id = kit_id(dict(current))
        inc, state_file = enrol.incarnation(_read_json(tr, enrol.STATE_PATH), current, kit_id=kit_id,
                                            class_id=self.class_id, new=new_incarnation)
        options = self.options
        if self.store is not None:
            login = enrol.kit_login(self.store, class_id=self.class_id, kit_id=kit_id, current=current)
            self.scrub = _Secrets([options["wifi_password"], login.password])
            options = dict(options, username=login.username, password=login.password)
        files = firmware_files()
        config = build_config(current, kit_id=kit_id, class_id=self.class_id, inc=inc,
                              build=firmware_build(files), **options)
        self.scrub = _Secrets([config.get(k) for k in SECRET_KEYS])
        main = files.pop("/main.py")
        files[BOARD_PATH] = board_profile_json(profile)
        if state_file is not None:                     # counters start again, before the config names them
            files[enrol.STATE_PATH] = state_file
        if self.ca is not None:                        # before the config that names mqtts://
            files[CA_PATH] = self.ca
        files[CONFIG_PATH] = _config_bytes(config)
        files["/main.py"] = main                       # last: the board boots into it
        return config, inc, files

    def copy(self, tr: SerialTransport, files: dict) -> tuple[list, list, list]:
        """Write the files that differ, remove firmware files no longer shipped."""
        if not tr.fs_isdir("/mkfw"):
            tr.fs_mkdir("/mkfw")
        changed, skipped = [], []
        self.report("compare", 0, len(files))
        remote = _remote_hashes(tr, list(files))
        for (path, data), digest in zip(files.items(), remote):
            (skipped if digest == hashlib.sha256(data).digest() else changed).append(path)
        self.report("compare", len(files), len(files))
        total = sum(len(files[p]) for p in changed)
        done = 0

        def advance(n):
            nonlocal done
            done += n
            self.report("write", done, total)
        for path in changed:
            _log.debug("deploy: writing %s (%d bytes)", path, len(files[path]))
            _write(tr, path, files[path], advance)
        removed = []
        for entry in tr.fs_listdir("/mkfw"):
            path = f"/mkfw/{entry.name}"
            if entry.name.endswith((".py", ".part")) and path not in files:
                tr.fs_rmfile(path)
                removed.append(path)
        _log.debug("deploy: %d written, %d unchanged, %d removed", len(changed), len(skipped), len(removed))
        return changed, skipped, removed

    def restart(self, tr: SerialTransport, config: dict) -> dict:
        """Soft-reset into the firmware and (with ``confirm``) check it answers as the new kit."""
        self.report("reset", 0, 1)
        tr.exit_raw_repl()
        tr.serial.write(b"\x04")                        # soft reset: main.py starts the firmware
        self.report("reset", 1, 1)
        if not self.confirm:
            return {}
        self.report("confirm", 0, 1)
        identity = confirm_identity(tr.serial, self.port, self.timeout)
        if identity.get("kit") != config["kit"] or identity.get("class") != config["class"]:
            raise FlashError(
                en=f"After the deploy the board answers as kit {identity.get('kit')!r} "
                   f"(class {identity.get('class')!r}), not {config['kit']!r}.",
                zh=f"部署之后开发板回答的套件编号是 {identity.get('kit')!r}"
                   f"（班级 {identity.get('class')!r}），而不是 {config['kit']!r}。",
                hint_en="Run `makerkit deploy` again; if this repeats, the board's filesystem may be full.",
                hint_zh="请再运行一次 `makerkit deploy`；如果还是这样，开发板的文件系统可能满了。",
                port=self.port)
        self.report("confirm", 1, 1)
        return identity


def _explain(exc: BaseException, port: str, scrub: _Secrets) -> MakerkitError:
    """A failure of the REPL or the port during a deploy, told for a student (secrets scrubbed)."""
    if isinstance(exc, TransportExecError):
        detail = scrub(exc.error_output.strip().splitlines()[-1] if exc.error_output.strip() else "")
        full = re.search(r"ENOSPC|OSError: 28\b", exc.error_output) is not None
        return FlashError(
            en=f"The board on {port} refused a file operation: {detail}",
            zh=f"{port} 上的开发板拒绝了一个文件操作：{detail}",
            hint_en="The board's filesystem may be full: delete your own files with Thonny, or "
                    "re-flash MicroPython, then deploy again." if full else
                    "Run `makerkit deploy` again; re-flash MicroPython if this repeats.",
            hint_zh="开发板的文件系统可能满了：请用 Thonny 删除一些自己的文件，或重新烧录 MicroPython，"
                    "然后再部署。" if full else "请再运行一次 `makerkit deploy`；如果反复出现，请重新烧录 MicroPython。",
            port=port)
    if isinstance(exc, TransportError):
        return NoAnswerError(
            en=f"The board on {port} stopped following the MicroPython raw REPL ({scrub(str(exc))}).",
            zh=f"{port} 上的开发板不再响应 MicroPython 原始命令行（{scrub(str(exc))}）。",
            hint_en="Press the board's reset (EN) button and run `makerkit deploy` again at once.",
            hint_zh="请按一下开发板的复位（EN）键，然后马上再运行 `makerkit deploy`。", port=port)
    if not type(exc).__module__.startswith("serial"):     # a file error on the board
        return FlashError(en=f"A file operation on the board on {port} failed: {scrub(str(exc))}",
                          zh=f"{port} 上开发板的文件操作失败：{scrub(str(exc))}", port=port)
    return DisconnectedError(
        en=f"The connection to {port} was lost during the deploy ({scrub(str(exc))}).",
        zh=f"部署时和 {port} 的连接断开了（{scrub(str(exc))}）。", port=port)


__all__ = ["DeployResult", "KitChooser", "board_profile_json", "build_config", "deploy", "firmware_build",
           "firmware_files"]
