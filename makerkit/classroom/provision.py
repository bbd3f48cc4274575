"""Provision a class set: every kit flashed (when asked), deployed, given its own login, registered and
assigned, all boards at once, one board's failure its own.

``provision(db=..., class_id="7a", board="esp32", ports=[...], broker="mqtt://10.0.0.2:1883")`` runs
one thread per port. Each board goes through:

1. **check**: ask the board who it is (the Firmata handshake). A kit that already answers as a kit of
   this class, is in the class's inventory, has its own login and runs this makerkit's firmware is
   *already done* and is left alone, so running the same command again only finishes what failed;
2. **flash** (only with ``firmware``, or for boards that take makerkit's own image, such as the Uno):
   flash regions whose hash already matches are skipped;
3. **deploy** (MicroPython boards): the firmware files that changed, the kit's config with WiFi,
   broker and the kit's own login (:mod:`makerkit.flash.enrol`), then the kit confirms its id;
   **configure** (Arduino boards): the kit id and class set over Firmata (MK_CONFIG), and the kit's own
   login, its password kept in the kit's EEPROM for whichever computer bridges it (``makerkit bridge``,
   ``lesson run --broker``: no login to type there);
4. **register** in the class's inventory (board, hardware id, incarnation, firmware build).

A board keeps the kit id it already carries for this class; new boards get the free ids
``kit-01``, ``kit-02``... in the order of their ports. With ``assign`` the kits nobody holds go to the
students without a kit, in roster order, after every board has finished.

``update(...)`` is the same pipeline for kits already in the class: only outdated or foreign firmware
is rewritten (and only what changed); kits already current are reported as such.

Progress: ``progress(port, step, done, total)``; the result lists every port with what happened and
:meth:`ProvisionResult.retry_command` retries just the failed ones.
"""

from __future__ import annotations

import shlex
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Optional

from ..catalog.boards import BoardProfile, load_board
from ..errors import MakerkitError, NoAnswerError, UsageError
from ..flash import current as fwcurrent

PortProgress = Callable[[str, str, int, int], None]
"""``progress(port, step, done, total)``: steps ``check``, ``flash``, ``deploy``, ``configure``,
``register``, ``done`` and ``failed``."""

PROVISIONED, ALREADY_DONE, UPDATED, CURRENT, FAILED = "provisioned", "already done", "updated", "current", "failed"
CHECK_TIMEOUT = 3.0          # seconds for a board to say who it is before it counts as "not yet a kit"


@dataclass
class KitOutcome:
    """What happened to the board on ``port``."""
    port: str
    state: str = FAILED
    kit: str = ""
    step: str = ""                      # the step that failed
    error: Optional[MakerkitError] = None
    flashed_bytes: int = 0
    skipped_bytes: int = 0
    files_written: int = 0
    firmware: str = ""
    username: str = ""
    holder: str = ""                    # the student (or group) the kit went to, with ``assign``
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_dict(self) -> dict:
        row = {"port": self.port, "state": self.state, "kit": self.kit, "seconds": round(self.seconds, 3),
               "flashed_bytes": self.flashed_bytes, "skipped_bytes": self.skipped_bytes,
               "files_written": self.files_written, "firmware": self.firmware, "username": self.username,
               "holder": self.holder}
        if self.error is not None:
            row.update(step=self.step, error=self.error.message_en, error_zh=self.error.message_zh,
                       hint=self.error.hint("en"), hint_zh=self.error.hint("zh"), exit_code=self.error.exit_code)
        return row


@dataclass
class ProvisionResult:
    class_id: str
    board: str
    outcomes: list[KitOutcome]
    seconds: float
    command: list[str] = field(default_factory=list)     # the command words, for the retry command

    @property
    def failed(self) -> list[KitOutcome]:
        return [o for o in self.outcomes if not o.ok]

    @property
    def ok(self) -> bool:
        return not self.failed

    def retry_command(self) -> str:
        """The same command for just the failed ports ("" when none failed)."""
        if self.ok or not self.command:
            return ""
        words, skip = [], False
        for word in self.command:
            if skip:
                skip = False
                continue
            if word in ("--port", "-p"):
                skip = True
                continue
            if word == "--all":
                continue
            words.append(word)
        for outcome in self.failed:
            words += ["--port", outcome.port]
        return " ".join(shlex.quote(w) for w in words)

    def to_dict(self) -> dict:
        return {"class": self.class_id, "board": self.board, "seconds": round(self.seconds, 3),
                "kits": [o.to_dict() for o in self.outcomes], "retry": self.retry_command()}


# -- kit ids ----------------------------------------------------------------------------------------

def kit_id_for(n: int) -> str:
    return f"kit-{n:02d}"


class KitIds:
    """Hands out kit ids to boards: a board keeps the id it carries for this class unless another
    board of this run has it; a new board gets the free id reserved for its port (the inventory's
    free ids in port order), or the next free one."""

    def __init__(self, class_id: str, ports: list[str], taken: set[str]):
        self.class_id = class_id
        self.taken = set(taken)
        self.claimed: dict[str, str] = {}
        self.lock = threading.Lock()
        self.reserved: dict[str, str] = {}
        n = 0
        for port in ports:
            n = self._next_free(n)
            self.reserved[port] = kit_id_for(n)

    def _next_free(self, n: int, also: set[str] = frozenset()) -> int:
        n += 1
        while kit_id_for(n) in self.taken or kit_id_for(n) in also:
            n += 1
        return n

    def choose(self, port: str, config: dict) -> str:
        from ..protocol.telemetry import ID_RE
        with self.lock:
            used = set(self.claimed.values())
            own = config.get("kit") if config.get("class") == self.class_id else None
            if isinstance(own, str) and ID_RE.match(own) and own not in used:
                chosen = own
            else:
                chosen = self.reserved.get(port)
                if chosen is None or chosen in used:
                    chosen = kit_id_for(self._next_free(0, used))
            self.claimed[port] = chosen
            return chosen


# -- one board --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Job:
    class_id: str
    profile: BoardProfile
    db: str
    firmware: Optional[str]
    network: dict                        # wifi_ssid, wifi_password, broker (None: keep the board's)
    kit_ids: KitIds
    inventory: dict                      # kit id -> inventory row, as the run started
    timeout: float
    flash_options: dict
    only_outdated: bool                  # class update: leave current kits alone even without a check hit
    logins: frozenset = frozenset()      # kit ids of the class with an enabled login, as the run started


def _check(job: _Job, port: str):
    """The board's identity when it answers as a makerkit kit, else None (not a kit yet, download mode)."""
    from ..device.probe import DEFAULT_TIMEOUT, probe
    profile = job.profile
    if profile.install == "flash":
        # an AVR kit stays silent until its bootloader hands over (~1.5 s after the port opens):
        # ask at makerkit's own baud rate only, for as long as a lesson's connect would wait
        kwargs = {"bauds": (profile.default_baud,), "timeout": DEFAULT_TIMEOUT,
                  "candidates": (profile.id,)}
    else:
        kwargs = {"timeout": CHECK_TIMEOUT}
    try:
        result = probe(port, **kwargs)
    except NoAnswerError:
        return None
    return result


def _done_already(job: _Job, port: str, found) -> Optional[str]:
    """The kit id when the board is a finished kit of this class (registered, with its own login, current
    firmware)."""
    if found is None or not found.is_makerkit or found.class_name != job.class_id or not found.kit:
        return None
    if not job.only_outdated and found.kit not in job.logins:     # provisioned before kits got logins
        return None
    row = job.inventory.get(found.kit)
    if row is None:
        return None
    hw = found.identity.get("hw") or None
    if row.get("hw_id") and hw and row["hw_id"] != hw:       # another board answers with this id
        return None
    if fwcurrent.judge(job.profile, fwcurrent.identity_firmware(found.identity)).state != fwcurrent.CURRENT:
        return None
    with job.kit_ids.lock:
        if found.kit in job.kit_ids.claimed.values():
            return None
        job.kit_ids.claimed[port] = found.kit
    return found.kit


def _run_one(job: _Job, port: str, report: Callable[[str, int, int], None]) -> KitOutcome:
    outcome = KitOutcome(port=port)
    started = time.monotonic()
    step = "check"
    try:
        report("check", 0, 1)
        found = _check(job, port)
        kit = _done_already(job, port, found)
        report("check", 1, 1)
        if kit is not None:
            outcome.state = CURRENT if job.only_outdated else ALREADY_DONE
            outcome.kit = kit
            outcome.firmware = fwcurrent.identity_firmware(found.identity)
            return outcome
        if job.firmware or job.profile.install == "flash":
            step = "flash"
            from ..flash import flash_board
            flashed = flash_board(board=job.profile, port=port, firmware=job.firmware,
                                  progress=lambda phase, done, total: report("flash", done, total),
                                  **job.flash_options)
            outcome.flashed_bytes = flashed.bytes_written
            outcome.skipped_bytes = int(flashed.details.get("skipped_bytes", 0))
        if job.profile.install == "deploy":
            step = "deploy"
            from ..flash.deploy import deploy
            result = deploy(port=port, kit_id=lambda config: job.kit_ids.choose(port, config),
                            class_id=job.class_id, board=job.profile, db=job.db, timeout=job.timeout,
                            progress=lambda phase, done, total: report("deploy", done, total), **job.network)
            outcome.kit, outcome.username = result.kit, result.username
            outcome.files_written = len(result.copied)
            outcome.firmware = (result.inventory or {}).get("firmware") or ""
        else:
            step = "configure"
            outcome.kit, outcome.firmware, outcome.username = _configure_over_firmata(job, port, found, report)
        outcome.state = UPDATED if job.only_outdated else PROVISIONED
        return outcome
    except MakerkitError as exc:
        outcome.error, outcome.step = exc, step
        return outcome
    except Exception as exc:  # noqa: BLE001 - one board's surprise must not stop the others
        from ..errors import FlashError
        outcome.error = FlashError(en=f"Setting up the board on {port} failed unexpectedly: {exc}.",
                                   zh=f"设置 {port} 上的开发板时出现意外错误：{exc}。", port=port)
        outcome.step = step
        return outcome
    finally:
        outcome.seconds = time.monotonic() - started
        report("done" if outcome.ok else "failed", 1, 1)


def _configure_over_firmata(job: _Job, port: str, found, report) -> tuple[str, str, str]:
    """An Arduino kit: set its kit id and class over Firmata, give it its own login, then register it;
    returns the kit id, its firmware and its username."""
    from ..api import connect
    from ..flash import enrol
    from ..store import open_store
    report("configure", 0, 1)
    with connect(port, board=job.profile.id, timeout=max(job.timeout, 8.0), clock="real") as kit:
        config = kit.config()
        chosen = job.kit_ids.choose(port, config)
        kit.configure(kit=chosen, class_=job.class_id)
        if kit.identity is None:           # stock Firmata after the flash: the image was not makerkit's
            raise UsageError(en=f"The board on {port} does not run makerkit's firmware, so it cannot keep a kit id.",
                             zh=f"{port} 上的开发板运行的不是 makerkit 固件，无法保存套件编号。",
                             hint_en="Leave --firmware out: makerkit flashes its own image onto Arduino kits.",
                             hint_zh="请去掉 --firmware：makerkit 会给 Arduino 套件烧录自己的固件。", port=port)
        username = _give_login(job, kit, chosen)
        identity = dict(kit.identity.info)
    report("configure", 1, 1)
    with open_store(job.db) as store:
        row = enrol.register(store, class_id=job.class_id, kit_id=chosen, board=job.profile.id,
                             inc=identity.get("inc") or "", identity=identity)
    return chosen, row.get("firmware") or "", username


def _give_login(job: _Job, kit, kit_id: str) -> str:
    """The Arduino kit's own broker login, its password kept in the kit's EEPROM for whichever computer
    bridges it (``makerkit bridge``, ``lesson run --broker``): the one it holds when it still matches the
    stored hash, else a new one (only the hash goes into the store)."""
    from ..access.logins import username_for
    from ..flash import enrol
    from ..store import open_store
    username = username_for(class_id=job.class_id, role="kit", kit=kit_id)
    held = kit.broker_password()
    with open_store(job.db) as store:
        login = enrol.kit_login(store, class_id=job.class_id, kit_id=kit_id,
                                current={"username": username, "password": held})
    if login.password != held:
        kit.configure(password=login.password)
    return login.username


# -- the class set ----------------------------------------------------------------------------------

def detected_ports(board: str | BoardProfile) -> list[str]:
    """The serial ports whose USB ids fit ``board`` (``--all``)."""
    from ..transport.ports import list_ports
    profile = load_board(board)
    return [p.port for p in list_ports() if profile.id in p.candidates]


def _prepare(db: str, class_id: str, board, ports: list[str]) -> tuple[BoardProfile, dict, frozenset]:
    from ..flash import enrol
    from ..store import open_store
    profile = load_board(board)
    ports = list(ports)
    if not ports:
        raise UsageError(en=f"No {profile.name} board was found to set up.",
                         zh=f"没有找到要设置的 {profile.name_zh} 开发板。",
                         hint_en="Plug the boards in (run `makerkit ports` to see them), or give them with --port.",
                         hint_zh="请插上开发板（用 `makerkit ports` 查看），或者用 --port 指定。")
    twice = sorted({p for p in ports if ports.count(p) > 1})
    if twice:
        raise UsageError(en=f"The port {twice[0]} is given more than once.", zh=f"串口 {twice[0]} 被写了不止一次。",
                         hint_en="Give each --port once.", hint_zh="每个 --port 只写一次。", port=twice[0])
    with open_store(db) as store:
        enrol.check_class(store, class_id)
        inventory = {row["kit"]: row for row in store.kits(class_id)}
        logins = frozenset(row["kit_id"] for row in store.logins(class_id, "kit") if row["kit_id"])
    return profile, inventory, logins


def _run_all(job: _Job, ports: list[str], progress: Optional[PortProgress]) -> list[KitOutcome]:
    outcomes: dict[str, KitOutcome] = {}
    threads = []
    for port in ports:
        def run(port=port) -> None:
            report = (lambda step, done, total: None) if progress is None else (
                lambda step, done, total: progress(port, step, done, total))
            outcomes[port] = _run_one(job, port, report)
        thread = threading.Thread(target=run, name=f"makerkit-provision-{port}", daemon=True)
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join()
    return [outcomes[p] for p in ports]


def provision(*, db: str, class_id: str, board: str | BoardProfile, ports: list[str],
              broker: Optional[str] = None, wifi_ssid: Optional[str] = None, wifi_password: Optional[str] = None,
              firmware: Optional[str] = None, assign: bool = False, timeout: float = 15.0,
              progress: Optional[PortProgress] = None, command: Optional[list[str]] = None,
              flash_options: Optional[dict] = None) -> ProvisionResult:
    """Set up the boards at ``ports`` as kits of ``class_id``; see the module documentation. Never
    raises for one board's failure (read ``result.failed``); raises :class:`UsageError` for a class
    the portfolio does not have, no ports, or a port given twice."""
    from ..flash.deploy import build_config
    from ..flash.kit_files import kit_broker
    started = time.monotonic()
    profile, inventory, logins = _prepare(db, class_id, board, ports)
    network = {"wifi_ssid": wifi_ssid, "wifi_password": wifi_password, "broker": broker}
    if profile.install == "deploy":                                         # bad values: before any port
        build_config({}, kit_id="kit", class_id=class_id, **dict(network, broker=kit_broker(broker)[0]))
    job = _Job(class_id=class_id, profile=profile, db=db, firmware=None if firmware is None else str(firmware),
               network=network if profile.install == "deploy" else {},
               kit_ids=KitIds(class_id, list(ports), set(inventory)), inventory=inventory, timeout=timeout,
               flash_options=dict(flash_options or {}), only_outdated=False, logins=logins)
    outcomes = _run_all(job, list(ports), progress)
    if assign:
        _assign_in_roster_order(db, class_id, [o for o in outcomes if o.ok and o.kit])
    return ProvisionResult(class_id=class_id, board=profile.id, outcomes=outcomes,
                           seconds=time.monotonic() - started, command=list(command or []))


def update(*, db: str, class_id: str, board: str | BoardProfile, ports: list[str], firmware: Optional[str] = None,
           timeout: float = 15.0, progress: Optional[PortProgress] = None, command: Optional[list[str]] = None,
           flash_options: Optional[dict] = None) -> ProvisionResult:
    """Bring the kits at ``ports`` up to this makerkit's firmware, keeping their ids, settings and logins;
    kits already current are left alone."""
    started = time.monotonic()
    profile, inventory, logins = _prepare(db, class_id, board, ports)
    job = _Job(class_id=class_id, profile=profile, db=db, firmware=None if firmware is None else str(firmware),
               network={}, kit_ids=KitIds(class_id, list(ports), set(inventory)), inventory=inventory,
               timeout=timeout, flash_options=dict(flash_options or {}), only_outdated=True, logins=logins)
    outcomes = _run_all(job, list(ports), progress)
    return ProvisionResult(class_id=class_id, board=profile.id, outcomes=outcomes,
                           seconds=time.monotonic() - started, command=list(command or []))


def _assign_in_roster_order(db: str, class_id: str, outcomes: list[KitOutcome]) -> None:
    from ..store import open_store
    with open_store(db) as store:
        held = {kit for cls, kit in store.assigned_kits() if cls == class_id}
        holding = {h.student for h in store.history(class_id) if h.until is None and h.student}
        waiting = [s["id"] for s in store.students(class_id) if s["id"] not in holding]
        free = sorted({o.kit for o in outcomes if o.kit not in held})
        by_kit = {o.kit: o for o in outcomes}
        for kit, student in zip(free, waiting):
            store.assign(class_id, kit, student=student)
        for h in store.history(class_id):
            if h.until is None and h.kit in by_kit:
                by_kit[h.kit].holder = h.student or h.group or ""


__all__ = ["ALREADY_DONE", "CURRENT", "FAILED", "KitIds", "KitOutcome", "PROVISIONED", "ProvisionResult",
           "UPDATED", "detected_ports", "kit_id_for", "provision", "update"]
