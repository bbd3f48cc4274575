"""Schema-valid but extreme input, generated: times at the calendar's edges, counters near 2**53 and
beyond, huge counts, retained statuses with absurd numbers. Whatever comes, the collector's
processing stays up, every message is stored or quarantined, and a normal kit's readings sent in
between are all stored (SQLite and PostgreSQL).

The property runs the collector's own batch processing (validation, time base, store, gap tracking,
status events) without a broker, so hypothesis can try many cases; tests/telemetry/test_poison.py
sends the reported cases through a real mosquitto."""

from __future__ import annotations

import json
import time

from hypothesis import HealthCheck, given, settings, strategies as st

from makerkit.collector import Collector
from makerkit.collector.writer import BatchWriter
from makerkit.protocol import telemetry as tm
from makerkit.protocol.telemetry import MAX_COUNTER
from makerkit.store import open_store

from .conftest import seqs_of

counter = st.one_of(st.sampled_from([0, 1, MAX_COUNTER - 1, MAX_COUNTER, MAX_COUNTER + 1, 2 ** 63, 2 ** 64, 10 ** 20]),
                    st.integers(min_value=0, max_value=2 ** 70))
offset = st.sampled_from(["Z", "+00:00", "+14:00", "-12:00", "+23:59", "-23:59", ".999999Z", ".5+05:30"])
date = st.one_of(st.sampled_from(["0001-01-01T00:00:00", "9999-12-31T23:59:59", "1970-01-01T00:00:00",
                                  "2038-01-19T03:14:08", "2024-02-29T12:00:00", "2023-02-29T12:00:00",
                                  "2019-12-31T23:59:59", "2100-01-01T00:00:00"]),
                 st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%S")))
number = st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.integers(min_value=-(2 ** 70), max_value=2 ** 70),
                   st.sampled_from([1.7976931348623157e308, 5e-324, -0.0]))
name = st.from_regex(r"[a-z0-9_]{1,32}", fullmatch=True)


@st.composite
def telemetry(draw):
    doc = {"v": 1, "seq": draw(counter), "boot": draw(st.one_of(counter, st.just(2 ** 31 - 1))),
           "uptime_ms": draw(counter), "readings": draw(st.dictionaries(name, number, min_size=1, max_size=4))}
    if draw(st.booleans()):
        doc["time"] = draw(date) + draw(offset)
    if draw(st.booleans()):
        doc["units"] = {k: draw(st.text(max_size=16)) for k in doc["readings"]}
    if draw(st.booleans()):
        doc["dropped"] = draw(counter)
    if draw(st.booleans()):
        doc["inc"] = draw(st.from_regex(r"[0-9a-z]{1,16}", fullmatch=True))
    return "telemetry", doc


@st.composite
def status(draw):
    doc = {"v": 1, "state": draw(st.sampled_from(["online", "offline"])), "seq": draw(counter),
           "buffered": draw(counter), "boot": draw(counter)}
    return "status", doc


@st.composite
def replay_done(draw):
    first, last = draw(counter), draw(counter)
    return "event", {"v": 1, "event": "replay_done", "from": first, "to": last,
                     "missing": [[draw(counter), draw(counter)] for _ in range(draw(st.integers(0, 3)))]}


message = st.tuples(st.sampled_from(["kit-x1", "kit-x2"]), st.one_of(telemetry(), status(), replay_done()))


def _classify(batch):
    """What the contract says of each message: valid records, refused count, valid status/event count."""
    valid, refused, events = [], 0, 0
    for topic, payload in batch:
        kind = topic.rsplit("/", 1)[1]
        try:
            if kind == "telemetry":
                valid.append(tm.parse_telemetry(topic, payload))
            else:
                tm.parse_message(kind, payload)
                events += 1
        except tm.TelemetryRejected:
            refused += 1
    return valid, refused, events


def _refused_total(store) -> int:
    """Quarantined messages: kept one by one, or counted in a flood summary."""
    return store.quarantine_count() + sum(f.messages for f in store.quarantine_floods())


def _reused(store) -> int:
    return store._execute("SELECT COUNT(*) FROM quarantine WHERE reason = 'seq_reused'")[0][0]


def test_extreme_messages_never_stop_the_collector_and_a_normal_kit_loses_nothing(db_url):
    store = open_store(db_url)
    col = Collector("mqtt://127.0.0.1:1", store, collector_id="extreme", gap_grace=0.0, gap_retry=0.0)
    col._writer = BatchWriter(store)           # the collector's own processing, fed directly (no broker)
    sent = {"normal": 0, "events": 0}

    @settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(st.lists(message, min_size=1, max_size=25))
    def check(items):
        batch = []
        for kit, (kind, doc) in items:
            batch.append((f"makerkit/v1/7x/{kit}/{kind}", json.dumps(doc).encode()))
            sent["normal"] += 1
            normal = {"v": 1, "seq": sent["normal"], "boot": 1, "uptime_ms": sent["normal"], "readings": {"t": 1.0}}
            batch.append(("makerkit/v1/7x/kit-normal/telemetry", json.dumps(normal).encode()))
        valid, refused, events = _classify(batch)
        q_before = _refused_total(store)
        reused_before = _reused(store)
        col._process([(t, p, 1, i + 1, 0, time.monotonic(), False) for i, (t, p) in enumerate(batch)])
        col._housekeeping()
        # each refused message is in the quarantine, each valid record is stored (or, when its key was
        # stored with other content, quarantined as seq_reused); status and event messages are neither
        reused = _reused(store) - reused_before
        assert _refused_total(store) - q_before == refused + reused
        for rec in valid:
            assert rec.seq in store.seqs(rec.key, rec.seq, rec.seq)
        assert seqs_of(store, "kit-normal") == list(range(1, sent["normal"] + 1))
        sent["events"] += events

    try:
        check()
        assert col.stats.stored + col.stats.duplicates + col.stats.quarantined + sent["events"] == col.stats.received
        assert sent["events"] > 0 and col.stats.quarantined > 0
        assert col.open_gaps() <= 10_000 and all(s.last - s.first < 100_001 for s in col._gaps.suspects)
    finally:
        col.mqtt.stop()
        store.close()
