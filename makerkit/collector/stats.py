"""What the collector reports about itself (:class:`CollectorStats`) and how it is set up: the
subscriptions it takes and the kind of writer it runs."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import DiskFullError, StoreBusyError
from ..protocol import telemetry as tm


@dataclass
class CollectorStats:
    received: int = 0
    stored: int = 0
    duplicates: int = 0
    quarantined: int = 0
    batches: int = 0
    replays_requested: int = 0
    gaps_found: int = 0
    gaps_healed: int = 0
    gaps_lost: int = 0
    seq_jumps: int = 0                # seq jumps too large to be gaps (recorded as "jump", never requested)
    rate: float = 0.0                 # rows committed per second over the last stats interval
    lag_s: float = 0.0                # age of the oldest message of the last batch when it was committed
    device_lag_s: float | None = None  # commit time minus device time (kits with a clock), last batch
    unassigned_kits: list = field(default_factory=list)
    load_warning: bool = False
    # set while batches cannot be committed (disk full, database locked); None once they can
    store_error: DiskFullError | StoreBusyError | None = None
    store_retries: int = 0            # failed commits retried so far (nothing was acknowledged for them)


def _error_doc(err) -> dict | None:
    if err is None:
        return None
    code = "disk_full" if isinstance(err, DiskFullError) else "busy"
    return {"code": code, "en": err.message_en, "zh": err.message_zh, "hint_en": err.hint_en,
            "hint_zh": err.hint_zh}


def _writer_kind(writer: str, db) -> str:
    if writer == "auto":     # a child process needs the caller's script to be import-safe: opt in
        writer = "thread"
    if writer == "process" and not isinstance(db, str):
        raise ValueError("writer='process' needs the database URL, not an open store")
    return writer


def _filters(classes, share, protocol: str, status: str) -> list[str]:
    """The collector's subscriptions: every class or the ones given, shared when ``share`` names a group."""
    filters = [tm.ROOT + "/#"] if not classes else [f"{tm.ROOT}/{tm.check_id(c, 'class')}/#" for c in classes]
    if share:
        tm.check_id(share, "share group")
        if protocol != "5":
            from ..errors import UsageError
            raise UsageError(en="Shared subscriptions need an MQTT 5 broker such as mosquitto.",
                             zh="共享订阅需要支持 MQTT 5 的服务器，例如 mosquitto。")
        filters = [f"$share/{share}/{f}" for f in filters]
    if classes or share:            # our own status topic tells us when another collector takes our id
        filters = filters + [status]
    return filters
