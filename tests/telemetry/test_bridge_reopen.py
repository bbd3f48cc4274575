"""``makerkit bridge`` as a service (issue 10, point 6 and the introduction): when the kit's port goes
away it says so, keeps publishing what it saved, reopens the port with a growing pause, asks the kit
for what it had not handed over and carries on. The kit is a virtual ESP32 without WiFi (a tethered
kit, its outbox on its virtual flash) served on ``socket://``; the server is killed (the kit loses
power) and started again on the same port while the kit keeps sampling once a second. Every reading
reaches the collector on a real mosquitto exactly once."""

from __future__ import annotations

import threading

import makerkit
from makerkit.bridge import Bridge, run_bridge
from makerkit.collector import Collector
from makerkit.errors import MakerkitError
from makerkit.sim import serve

from support.brokers import free_port
from .conftest import wait_until


class Sampler:
    """The kit's own sensor: a new value every sample, so each reading can be told apart."""

    def __init__(self):
        self.values: list[float] = []
        self.lock = threading.Lock()
        self.on = True

    def __call__(self, now_ms):
        with self.lock:
            if not self.on:
                return {}                               # no reading: the kit records nothing
            value = float(len(self.values) + 1)
            self.values.append(value)
        return {"light": value}

    def count(self) -> int:
        with self.lock:
            return len(self.values)


def power_on(fs, port, sampler):
    server = serve("esp32", listen=f"127.0.0.1:{port}", fs_dir=fs)
    server.kit.device.app.telemetry.add_source(sampler)
    return server


def stored_values(store, kit):
    return sorted(r["value"] for r in store.export(kit=kit))


def test_the_bridge_reopens_a_lost_port_and_every_reading_arrives_once(tmp_path, broker):
    fs, port, sampler = tmp_path / "kit", free_port(), Sampler()
    server = power_on(fs, port, sampler)
    with makerkit.connect(server.url, clock="real") as kit:
        kit.configure(interval=1)                       # the kit samples by itself once a second
    col = Collector(broker.url, f"sqlite:///{tmp_path}/portfolio.db", collector_id="reopen").start()
    stop, notices, states = threading.Event(), [], []
    failure: list[BaseException] = []

    def on_status(bridge):
        notices.extend(bridge.take_notices())
        states.append(bridge.kit is not None)

    def service():
        try:
            run_bridge(port=server.url, broker=broker.url, outbox=str(tmp_path / "outbox.db"), class_id="7b",
                       kit_id="tether-1", stop_event=stop, on_status=on_status, every=0.2)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            failure.append(exc)

    runner = threading.Thread(target=service, daemon=True)
    runner.start()
    try:
        wait_until(lambda: col.store.count("tether-1") >= 3, 20, what="readings before the drop")
        server.close()                                  # the cable is pulled: the kit loses power
        wait_until(lambda: any(n["code"] == "port_lost" for n in notices), 10, what="the user is told")
        wait_until(lambda: any(n["code"] == "port_retry" for n in notices), 10, what="a failed reopen")
        before = sampler.count()
        server = power_on(fs, port, sampler)             # plugged in again on the same port
        wait_until(lambda: any(n["code"] == "port_back" for n in notices), 20, what="the port reopened")
        wait_until(lambda: sampler.count() >= before + 4, 20, what="readings after the drop")
        with sampler.lock:
            sampler.on = False                          # what the kit took is final now
        wait_until(lambda: col.store.count("tether-1") == sampler.count(), 30,
                   what="every reading stored")
        assert stored_values(col.store, "tether-1") == sorted(sampler.values)   # each exactly once
        assert col.store.quarantine_count() == 0
        assert not failure, failure
        assert False in states and states[-1] is True   # the CLI saw the port away, then back
        lost = next(n for n in notices if n["code"] == "port_lost")
        assert server.url.split("//")[1] in lost["en"] and "断开" in lost["zh"]
        retry = next(n for n in notices if n["code"] == "port_retry")
        assert "again in" in retry["en"] and "秒后再试" in retry["zh"]
    finally:
        stop.set()
        runner.join(20)
        server.close()
        col.stop()
    assert not runner.is_alive()


def test_a_port_that_is_not_there_at_start_is_an_error_with_a_hint(tmp_path, broker):
    port = free_port()
    try:
        run_bridge(port=f"socket://127.0.0.1:{port}", broker=broker.url, outbox=str(tmp_path / "o.db"),
                   class_id="7b", kit_id="tether-2", stop_event=threading.Event())
    except MakerkitError as exc:
        assert exc.message_en and exc.message_zh and exc.hint_en and exc.hint_zh
    else:
        raise AssertionError("run_bridge started without a kit")


def test_records_the_kit_took_while_nobody_listened_are_asked_for_again(tmp_path, broker):
    with makerkit.connect("sim://esp32", clock="virtual", fs_dir=tmp_path / "kit") as kit:
        kit.configure(kit="tether-3", class_="7b")
        with Bridge(kit, broker.url, outbox=str(tmp_path / "outbox.db")) as bridge:
            seqs = [kit.publish("light", i / 10)["seq"] for i in range(3)]
            wait_until(lambda: bridge.published == 3, 10, what="published")
            bridge.detach()                              # the port is away: records reach nobody
            seqs += [kit.publish("light", 1 + i / 10)["seq"] for i in range(5)]
            kit.sleep(0.1)
            assert bridge.outbox.count() == 3 and kit.sim.device.app.telemetry.pending() == 5
            bridge.attach(kit)                           # back: the bridge asks for what came after its last
            # a virtual clock moves (and the host reads what the kit sent) only while someone waits on the kit
            wait_until(lambda: kit.sleep(0.01) or bridge.published == 8, 10, what="the records taken meanwhile")
            kit.sleep(0.1)
            assert [s for s, _ in bridge.outbox.between("", 0, 100)] == seqs
            assert kit.sim.device.app.telemetry.pending() == 0
