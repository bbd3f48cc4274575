"""``makerkit bridge`` with makerkit's AVR firmware on the emulated Uno, a real mosquitto and the collector
(issue 10, points 5 and 6): the board keeps its incarnation and hardware id in EEPROM across reboots,
a replaced (or erased) Uno behind the same kit id gets a new incarnation and its readings are stored
under it, nothing dropped or quarantined; readings the board had to drop from its 3-record RAM
buffer are counted on the board (``dropped`` in MK_IDENTITY and in every record) and reported by the
bridge in its status and to the user."""

from __future__ import annotations

import json

import pytest

import makerkit
from makerkit.bridge import Bridge
from makerkit.collector import Collector
from makerkit.protocol import firmata as fm
from makerkit.protocol import telemetry as tm

from support.brokers import Mosquitto, retained_status
from support.waiting import wait_until


@pytest.fixture
def broker(tmp_path):
    b = Mosquitto(tmp_path / "mosquitto").start()
    yield b
    b.close()


def uno_kit(uno):
    return makerkit.connect(uno.port, board="uno", timeout=30, clock="real")   # ends when it answers


def status_with(broker, kit, text):
    status = retained_status(broker.url, tm.topic("7c", kit, "status"))
    return status if text in status else ""


def incs(store, kit):
    rows = store._execute("SELECT inc, COUNT(*) FROM telemetry WHERE kit_id = ? GROUP BY inc", (kit,))
    return {inc: n for inc, n in rows}


def test_a_replaced_uno_behind_the_same_kit_id_is_stored_under_its_new_incarnation(
        tmp_path, uno_factory, makerkit_hex, broker):
    outbox = str(tmp_path / "outbox.db")
    col = Collector(broker.url, f"sqlite:///{tmp_path}/portfolio.db", collector_id="avr").start()
    try:
        first = uno_factory(app=makerkit_hex)
        with uno_kit(first) as kit:
            kit.configure(kit="kit-11", class_="7c")
            inc_a, hw_a = kit.identity.info["inc"], kit.identity.info["hw"]
            assert tm.INC_RE.match(inc_a) and len(inc_a) == 12 and len(hw_a) == 12
            with Bridge(kit, broker.url, outbox=outbox) as bridge:
                a = [kit.publish("temp", 20 + i / 10)["seq"] for i in range(5)]
                wait_until(lambda: col.store.count("kit-11") == 5, 20, what="the first Uno's readings")
            eeprom = tmp_path / "eeprom-a.bin"
            eeprom.write_bytes(first.eeprom())
        first.close()
        again = uno_factory(app=makerkit_hex, eeprom=eeprom)      # the same board, powered again
        with uno_kit(again) as kit:
            assert (kit.identity.info["inc"], kit.identity.info["hw"]) == (inc_a, hw_a)
            with Bridge(kit, broker.url, outbox=outbox) as bridge:
                b = [kit.publish("temp", 30 + i / 10)["seq"] for i in range(3)]
                assert min(b) > max(a)
                wait_until(lambda: col.store.count("kit-11") == 8, 20, what="readings after the reboot")
        again.close()
        other = uno_factory(app=makerkit_hex)                     # a replaced Uno: new EEPROM, same kit id
        with uno_kit(other) as kit:
            kit.configure(kit="kit-11", class_="7c")
            inc_b = kit.identity.info["inc"]
            assert inc_b != inc_a
            with Bridge(kit, broker.url, outbox=outbox) as bridge:
                # it numbers from the start again (0, or 16 when the board was reset once more while the
                # link opened, as either board may be): it publishes until its numbers meet the first's
                c = []
                while not set(c) & set(a) and len(c) < 48:
                    c.append(kit.publish("temp", 40 + len(c) / 10)["seq"])
                assert set(c) & set(a) and min(c) <= 16
                wait_until(lambda: col.store.count("kit-11") == 8 + len(c), 20, what="the replaced Uno's readings")
                assert bridge.reused == 0 and bridge.outbox.count_reused() == 0
        assert incs(col.store, "kit-11") == {inc_a: 8, inc_b: len(c)}
        assert col.store.quarantine_count() == 0
    finally:
        col.stop()


def test_readings_the_uno_dropped_are_counted_on_the_board_and_reported(tmp_path, uno_factory, makerkit_hex, broker):
    uno = uno_factory(app=makerkit_hex)
    with uno_kit(uno) as kit:
        kit.configure(kit="kit-12", class_="7c")
        with Bridge(kit, broker.url, outbox=str(tmp_path / "outbox.db")) as bridge:
            kit.publish("temp", 1.0)
            wait_until(lambda: bridge.published == 1, 20, what="published")
            bridge.detach()                           # nobody acknowledges: the board's 3-record buffer fills
            late = [kit.publish("temp", 2 + i) for i in range(5)]
            assert [r.get("dropped", 0) for r in late] == [0, 0, 0, 0, 1]   # a record tells the drops before it
            bridge.attach(kit)                        # asks the board for what it still holds
            wait_until(lambda: bridge.published == 4, 20, what="the 3 records the board kept")
            kit.publish("temp", 9.0)                  # carries dropped=2 to the bridge
            wait_until(lambda: bridge.kit_dropped == 2, 20, what="the board's drop count")
            notes = [n for n in bridge.take_notices() if n["code"] == "kit_dropped"]
            assert notes and "drop 2 reading" in notes[-1]["en"] and "丢弃了 2 条" in notes[-1]["zh"]
            status = wait_until(lambda: status_with(broker, "kit-12", '"dropped":2'), 20, what="dropped in the status")
            assert json.loads(status)["inc"] == kit.identity.info["inc"]
        # the board says so itself too, in MK_IDENTITY
        info = kit.client.request(fm.mk_identity_query(), expect=fm.MkIdentity, timeout=10).info
        assert info["dropped"] == 2
