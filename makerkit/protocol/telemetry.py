"""The v1 MQTT telemetry contract, sans-I/O: topics, payload validation and payload building.

Nothing here opens a socket or reads a clock unless asked: the collector, the bridge, the classroom
and the tests all use the same functions. The contract is written down in ``docs/TELEMETRY.md`` and
``docs/telemetry-v1.schema.json`` (the package carries the same schema file).

    >>> rec = parse_telemetry("makerkit/v1/7a/kit-07/telemetry",
    ...     b'{"v": 1, "seq": 5, "boot": 1, "uptime_ms": 900, "readings": {"t": 23.5}}')
    >>> rec.kit, rec.seq, rec.readings
    ('kit-07', 5, {'t': 23.5})
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from importlib import resources
from typing import NamedTuple

import fastjsonschema

from ..errors import TelemetryError

VERSION = 1
ROOT = "makerkit/v1"
MAX_PAYLOAD = 4096
# The brokers' message size limit (mosquitto message_size_limit, the embedded broker's drop): twice the
# contract's largest payload, room for a collector's stats of a large school (docs/ACCESS.md).
MAX_MESSAGE = 2 * MAX_PAYLOAD
COLLECTOR_SEGMENT = "_collector"
KINDS = ("telemetry", "status", "event", "replay", "control")
CLASS_SEGMENT = "_class"             # makerkit/v1/{class}/_class/control: a message for every kit of a class
ID_RE = re.compile(r"[a-z0-9-]{1,32}\Z")
NAME_RE = re.compile(r"[a-z0-9_]{1,32}\Z")
INC_RE = re.compile(r"[0-9a-z]{1,16}\Z")
MAX_COUNTER = 2 ** 53 - 1            # seq, uptime and every other counter: exact in JSON numbers everywhere
MAX_REPLAY_SPAN = 1000               # numbers one replay request asks for: a kit answers it in one go

# reason codes stored with quarantined messages (stable; dashboards may group by them)
BAD_TOPIC = "bad_topic"
TOO_LARGE = "too_large"
BAD_UTF8 = "bad_utf8"
BAD_JSON = "bad_json"
NOT_FINITE = "not_finite"
BAD_SCHEMA = "bad_schema"
BAD_TIME = "bad_time"


class KitKey(NamedTuple):
    """Who a reading comes from: a kit of a class, in one incarnation (``inc``; ``""`` for kits that do
    not send one). ``kit-07`` of 7a and ``kit-07`` of 7b are different kits; an erased and redeployed
    kit starts a new incarnation, so its ``boot`` and ``seq`` start again without clashing."""
    class_id: str
    kit: str
    inc: str = ""


@dataclass(frozen=True)
class Topic:
    """A parsed ``makerkit/v1/{class}/{kit}/{kind}`` topic."""
    class_id: str
    kit: str
    kind: str


class TelemetryRecord(NamedTuple):
    """One validated telemetry message (readings keep their order). A named tuple: the collector
    makes thousands a second, and a tuple is several times cheaper to build than a frozen dataclass."""
    class_id: str
    kit: str
    seq: int
    boot: int
    uptime_ms: int
    time: str | None                      # device time, normalised to ISO 8601 UTC with "Z", or None
    readings: dict
    units: dict
    dropped: int | None = None
    replay: bool = False
    inc: str = ""                         # the kit's incarnation ("" when the kit sends none)
    raw_time: str | None = None           # a device time that is a real date but cannot be shown in UTC

    @property
    def key(self) -> KitKey:
        return KitKey(self.class_id, self.kit, self.inc)


class TelemetryRejected(TelemetryError):
    """A message that breaks the v1 contract; ``reason`` is a stable code, ``detail`` says more."""

    def __init__(self, reason: str, detail: str):
        self.reason = reason
        self.detail = detail
        super().__init__(en=f"Telemetry refused ({reason}): {detail}",
                         zh=f"遥测数据不符合约定（{reason}）：{detail}",
                         reason=reason)


# --- topics -------------------------------------------------------------------------------------

def check_id(value: str, what: str = "kit") -> str:
    """Return ``value`` if it is a valid class or kit id (``[a-z0-9-]{1,32}``), else raise."""
    if not isinstance(value, str) or not ID_RE.match(value):
        raise TelemetryError(
            en=f"{what} id {value!r} is not allowed: use 1 to 32 of a-z, 0-9 and '-'.",
            zh=f"{'班级' if what == 'class' else '套件'}编号 {value!r} 不合法：只能用 1 到 32 个 a-z、0-9 或 '-'。",
            hint_en="Pick an id such as 7a or kit-07.", hint_zh="请使用类似 7a 或 kit-07 的编号。")
    return value


def topic(class_id: str, kit: str, kind: str = "telemetry") -> str:
    """Build ``makerkit/v1/{class}/{kit}/{kind}`` after checking both ids."""
    if kind not in KINDS:
        raise TelemetryError(en=f"Unknown topic kind {kind!r}; one of {', '.join(KINDS)}.",
                             zh=f"未知的主题类型 {kind!r}；可选：{', '.join(KINDS)}。")
    return f"{ROOT}/{check_id(class_id, 'class')}/{check_id(kit)}/{kind}"


def collector_topic(collector_id: str, kind: str) -> str:
    """``makerkit/v1/_collector/{id}/status|stats``: what a collector publishes about itself."""
    return f"{ROOT}/{COLLECTOR_SEGMENT}/{check_id(collector_id, 'collector')}/{kind}"


def subscription(class_id: str | None = None, kind: str = "telemetry", share: str | None = None) -> str:
    """Topic filter for one class (or every class with ``None``); ``share`` makes it ``$share/{share}/...``."""
    cls = "+" if class_id is None else check_id(class_id, "class")
    flt = f"{ROOT}/{cls}/+/{kind}"
    return f"$share/{share}/{flt}" if share else flt


def class_control_topic(class_id: str) -> str:
    """``makerkit/v1/{class}/_class/control``: a teacher's message to every kit of the class."""
    return f"{ROOT}/{check_id(class_id, 'class')}/{CLASS_SEGMENT}/control"


def parse_topic(name: str) -> Topic:
    """Split a topic into class, kit and kind; raises :class:`TelemetryRejected` (``bad_topic``).
    The kit is ``_class`` only on a class's control topic."""
    parts = name.split("/")
    if (len(parts) != 5 or parts[0] != "makerkit" or parts[1] != "v1" or parts[4] not in KINDS
            or not ID_RE.match(parts[2])
            or not (ID_RE.match(parts[3]) or parts[3] == CLASS_SEGMENT and parts[4] == "control")):
        raise TelemetryRejected(BAD_TOPIC, f"topic {name[:200]!r} is not makerkit/v1/{{class}}/{{kit}}/{{kind}}")
    return Topic(parts[2], parts[3], parts[4])


# --- payloads -----------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def schema() -> dict:
    """The v1 JSON schema (root: the telemetry payload; ``definitions``: status, event, replay, stats)."""
    text = resources.files(__package__).joinpath("telemetry-v1.schema.json").read_text("utf-8")
    return json.loads(text)


@lru_cache(maxsize=None)
def _validator(name: str | None):
    doc = schema() if name is None else schema()["definitions"][name]
    doc = {k: v for k, v in doc.items() if k != "definitions"}
    return fastjsonschema.compile(doc)


def _no_constant(token: str):
    raise ValueError(f"{token} is not a finite number")


def _loads(payload: bytes | str) -> object:
    if isinstance(payload, (bytes, bytearray, memoryview)):
        if len(payload) > MAX_PAYLOAD:
            raise TelemetryRejected(TOO_LARGE, f"{len(payload)} bytes, at most {MAX_PAYLOAD}")
        try:
            payload = bytes(payload).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise TelemetryRejected(BAD_UTF8, f"not UTF-8 ({exc.reason} at byte {exc.start})") from None
    elif len(payload.encode("utf-8", "surrogatepass")) > MAX_PAYLOAD:
        raise TelemetryRejected(TOO_LARGE, f"more than {MAX_PAYLOAD} bytes")
    try:
        return json.loads(payload, parse_constant=_no_constant)
    except ValueError as exc:  # JSONDecodeError is a ValueError; so is NaN/Infinity
        if "finite" in str(exc):
            raise TelemetryRejected(NOT_FINITE, str(exc)) from None
        raise TelemetryRejected(BAD_JSON, str(exc)[:200]) from None
    except RecursionError:
        raise TelemetryRejected(BAD_JSON, "nested too deeply") from None


class UnrepresentableTime(TelemetryRejected):
    """A real date whose UTC form falls outside years 1..9999 (``0001-01-01T00:00:00+01:00``)."""


def normalise_time(text: str) -> str:
    """ISO 8601 with an offset -> ``YYYY-MM-DDTHH:MM:SS.mmmZ`` in UTC; raises :class:`TelemetryRejected`."""
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise TelemetryRejected(BAD_TIME, f"time {text[:40]!r} is not an ISO 8601 date and time") from None
    if when.tzinfo is None:
        raise TelemetryRejected(BAD_TIME, f"time {text[:40]!r} has no UTC offset")
    try:
        return iso_utc(when)
    except (OverflowError, ValueError):
        raise UnrepresentableTime(BAD_TIME, f"time {text[:40]!r} is outside the years 1 to 9999 in UTC") from None


_second_cache: dict[int, str] = {}


def iso_utc(when: datetime | float) -> str:
    """Format a datetime or a POSIX timestamp as ISO 8601 UTC with milliseconds and ``Z``."""
    if not isinstance(when, datetime):
        ms = int(round(when * 1000))
        second, frac = divmod(ms, 1000)
        prefix = _second_cache.get(second)
        if prefix is None:                     # the collector formats many times within one second
            if len(_second_cache) > 4096:
                _second_cache.clear()
            prefix = _stamp(datetime.fromtimestamp(second, timezone.utc))
            _second_cache[second] = prefix
        return f"{prefix}{frac:03d}Z"
    when = when.astimezone(timezone.utc)
    return _stamp(when) + f"{when.microsecond // 1000:03d}Z"


def _stamp(when: datetime) -> str:
    # not strftime: its %Y writes the year 1 as "1" on some platforms, which is not ISO 8601
    return f"{when.year:04d}-{when.month:02d}-{when.day:02d}T{when.hour:02d}:{when.minute:02d}:{when.second:02d}."


_TIME_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})\Z")
_INT_LIMIT = 9007199254740991
_KNOWN = frozenset(("v", "seq", "boot", "uptime_ms", "time", "readings", "units", "dropped", "replay", "inc"))


def _int_ok(value, hi=_INT_LIMIT) -> bool:
    return type(value) is int and 0 <= value <= hi


def quick_valid(doc) -> bool:
    """A fast check of the common case: True only for payloads the v1 schema accepts.

    The collector runs it first and falls back to the schema (fastjsonschema) for anything it does
    not vouch for, which also gives the reason for a refusal. A hypothesis test keeps the two in step.
    """
    if type(doc) is not dict or not _KNOWN.issuperset(doc):
        return False
    if doc.get("v") != 1 or type(doc.get("v")) is not int:
        return False
    if not (_int_ok(doc.get("seq")) and _int_ok(doc.get("boot"), 2147483647) and _int_ok(doc.get("uptime_ms"))):
        return False
    readings = doc.get("readings")
    if type(readings) is not dict or not 1 <= len(readings) <= 32:
        return False
    for name, value in readings.items():
        if type(value) is not float and type(value) is not int or not NAME_RE.match(name):
            return False
    if "units" in doc:
        units = doc["units"]
        if type(units) is not dict or len(units) > 32:
            return False
        for name, unit in units.items():
            if type(unit) is not str or len(unit) > 16 or not NAME_RE.match(name):
                return False
    if "time" in doc and (type(doc["time"]) is not str or not _TIME_RE.match(doc["time"])):
        return False
    if "dropped" in doc and not _int_ok(doc["dropped"]):
        return False
    if "inc" in doc and (type(doc["inc"]) is not str or not INC_RE.match(doc["inc"])):
        return False
    if "replay" in doc and type(doc["replay"]) is not bool:
        return False
    return True


def validate_payload(doc: object) -> dict:
    """Check a decoded payload against the v1 schema plus the rules JSON schema cannot say."""
    if not quick_valid(doc):
        try:
            _validator(None)(doc)
        except fastjsonschema.JsonSchemaException as exc:
            raise TelemetryRejected(BAD_SCHEMA, exc.message[:200]) from None
    for name, value in doc["readings"].items():
        try:
            finite = math.isfinite(value)
        except OverflowError:
            finite = False
        if not finite:
            raise TelemetryRejected(NOT_FINITE, f"reading {name!r} is not a finite number")
    return doc


def parse_telemetry(topic_name: str | Topic, payload: bytes | str) -> TelemetryRecord:
    """Validate one message from ``makerkit/v1/{class}/{kit}/telemetry`` (the topic as text, or already
    parsed); raises :class:`TelemetryRejected`."""
    where = topic_name if isinstance(topic_name, Topic) else parse_topic(topic_name)
    if where.kind != "telemetry":
        raise TelemetryRejected(BAD_TOPIC, f"expected a telemetry topic, got {where.kind!r}")
    doc = validate_payload(_loads(payload))
    when = doc.get("time")
    raw_time = None
    if when is not None:
        try:
            when = normalise_time(when)
        except UnrepresentableTime:       # valid by the schema: stored with the collector's estimate, flagged
            when, raw_time = None, when
    readings = {k: float(v) for k, v in doc["readings"].items()}
    return TelemetryRecord(
        class_id=where.class_id, kit=where.kit, seq=doc["seq"], boot=doc["boot"],
        uptime_ms=doc["uptime_ms"], time=when, readings=readings, units=dict(doc.get("units") or {}),
        dropped=doc.get("dropped"), replay=bool(doc.get("replay", False)), inc=doc.get("inc", ""),
        raw_time=raw_time)


def parse_message(kind: str, payload: bytes | str) -> dict:
    """Decode and validate a ``status``, ``event`` or ``replay`` payload (see the schema's definitions)."""
    doc = _loads(payload)
    try:
        return _validator(kind)(doc)
    except fastjsonschema.JsonSchemaException as exc:
        raise TelemetryRejected(BAD_SCHEMA, exc.message[:200]) from None


def build_payload(*, seq: int, boot: int, uptime_ms: int, readings: dict, units: dict | None = None,
                  time: str | None = None, dropped: int | None = None, replay: bool = False) -> bytes:
    """Build a v1 payload (validated, so a bad name or a NaN fails here, not at the collector)."""
    doc: dict = {"v": VERSION, "seq": seq, "boot": boot, "uptime_ms": uptime_ms}
    if time is not None:
        doc["time"] = time
    doc["readings"] = dict(readings)
    if units:
        doc["units"] = dict(units)
    if dropped:
        doc["dropped"] = dropped
    if replay:
        doc["replay"] = True
    validate_payload(doc)
    data = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if len(data) > MAX_PAYLOAD:
        raise TelemetryRejected(TOO_LARGE, f"{len(data)} bytes, at most {MAX_PAYLOAD}")
    return data


def status_payload(state: str, **extra) -> bytes:
    """``{"v": 1, "state": "online"|"offline", ...}`` for a retained status topic."""
    doc = {"v": VERSION, "state": state, **extra}
    _validator("status")(doc)
    return json.dumps(doc, separators=(",", ":")).encode()


def replay_payload(first: int, last: int, by: str | None = None, inc: str | None = None) -> bytes:
    """Ask a kit (or its bridge) to send records ``first..last`` of incarnation ``inc`` again.

    A request spans at most :data:`MAX_REPLAY_SPAN` numbers (what a kit answers at once); callers
    split longer runs with :func:`replay_chunks`."""
    first, last = int(first), int(last)
    if not (1 <= first <= last <= MAX_COUNTER and last - first < MAX_REPLAY_SPAN):
        raise ValueError(f"replay range {first}..{last}: need 1 <= from <= to <= 2**53-1, "
                         f"at most {MAX_REPLAY_SPAN} numbers")
    doc = {"v": VERSION, "from": first, "to": last}
    if by:
        doc["by"] = by
    if inc:
        doc["inc"] = inc
    return json.dumps(doc, separators=(",", ":")).encode()


def replay_chunks(first: int, last: int, limit: int | None = None) -> list[tuple[int, int]]:
    """``first..last`` cut into requests of at most :data:`MAX_REPLAY_SPAN` numbers, at most ``limit`` of them."""
    out: list[tuple[int, int]] = []
    while first <= last and (limit is None or len(out) < limit):
        out.append((first, min(last, first + MAX_REPLAY_SPAN - 1)))
        first += MAX_REPLAY_SPAN
    return out


def ranges(numbers) -> list[tuple[int, int]]:
    """Sorted integers -> inclusive ``(first, last)`` runs: ``[1, 2, 3, 7]`` -> ``[(1, 3), (7, 7)]``."""
    out: list[list[int]] = []
    for n in sorted(set(numbers)):
        if out and n == out[-1][1] + 1:
            out[-1][1] = n
        else:
            out.append([n, n])
    return [(a, b) for a, b in out]


def holes(first: int, last: int, present) -> list[tuple[int, int]]:
    """The runs of ``first..last`` missing from ``present``, without building the whole range
    (a jump from 5 to 2**50 costs two numbers, not a petabyte)."""
    out: list[tuple[int, int]] = []
    nxt = first
    for n in sorted({p for p in present if first <= p <= last}):
        if n > nxt:
            out.append((nxt, n - 1))
        nxt = n + 1
    if nxt <= last:
        out.append((nxt, last))
    return out


__all__ = [
    "VERSION", "ROOT", "MAX_PAYLOAD", "MAX_MESSAGE", "MAX_COUNTER", "MAX_REPLAY_SPAN", "replay_chunks", "KINDS", "KitKey", "Topic", "TelemetryRecord",
    "TelemetryRejected", "check_id", "topic", "collector_topic", "class_control_topic", "subscription", "parse_topic", "schema", "normalise_time",
    "iso_utc", "validate_payload", "parse_telemetry", "parse_message", "build_payload",
    "status_payload", "replay_payload", "ranges", "holes",
]
