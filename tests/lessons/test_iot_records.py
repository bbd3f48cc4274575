"""What an IoT lesson's checker sees: the readings a script published and the events it raised,
with the time it did it, on the virtual kit of a networked and of a tethered board."""

from __future__ import annotations

import pytest

from makerkit.catalog.lessons import load_lesson
from makerkit.lessons_runner import KitEvent, open_kit, run_script


@pytest.mark.parametrize("board", ["uno", "esp32"])
def test_events_the_script_raises_are_recorded_for_the_checker(board, write_script):
    script = write_script("""
        def main(kit):
            kit.sleep(1.0)
            answer = kit.event("alarm", temperature=31, where="greenhouse")
            print("kit stamped", answer["event"])
            kit.sleep(0.5)
            kit.event("all_clear", temperature=27)
    """)
    seen = []
    kit = open_kit(sim=True, board=board, clock="virtual")
    try:
        run = run_script(load_lesson("15-alarm"), kit, script, seconds=3.0, on_event=seen.append)
    finally:
        kit.close()
    assert run.crash is None
    assert [(e.name, e.data) for e in run.events] == [
        ("alarm", {"temperature": 31, "where": "greenhouse"}), ("all_clear", {"temperature": 27})]
    assert run.events[0].t == pytest.approx(1.0, abs=0.05)
    assert run.events[1].t == pytest.approx(1.5, abs=0.05)
    assert all(e.published is False for e in run.events)   # no broker in a check: nobody published them
    assert run.events_named("alarm") == run.events[:1]
    assert [e for e in seen if isinstance(e, KitEvent)] == run.events   # `lesson run` shows them live
    assert run.printed == ["kit stamped alarm"]


def test_a_refused_event_is_not_recorded(write_script):
    script = write_script("""
        def main(kit):
            kit.event("Alarm!", temperature=31)
    """)
    kit = open_kit(sim=True, board="esp32", clock="virtual")
    try:
        run = run_script(load_lesson("15-alarm"), kit, script, seconds=2.0)
    finally:
        kit.close()
    assert run.crash is not None and run.crash.kind == "TelemetryError"
    assert run.events == []


LISTENER = """
    def main(kit):
        def on_message(message):
            print("got", message["cmd"], message.get("text", ""), "shown" if message.get("shown") else "passed")
        kit.when_message(on_message)
        kit.pause()
"""


def _run_with_controls(board, script, controls, seconds=3.0, kit=None):
    """Run ``script`` while the scenario sends ``controls`` [(t, cmd, text)] as a teacher would."""
    def scenario(run):
        for t, cmd, text in controls:
            run.at(t, lambda w, cmd=cmd, text=text: run.send_control(text, cmd=cmd, by="7a.teacher.wang"))
    own = kit is None
    kit = kit or open_kit(sim=True, board=board, clock="virtual")
    try:
        return run_script(load_lesson("01-blink"), kit, script, seconds=seconds, scenario=scenario), kit
    finally:
        if own:
            kit.close()


@pytest.mark.parametrize("board, shown", [("esp32", "passed"), ("esp32s3", "passed"), ("mpython", "shown"),
                                          ("uno", "passed"), ("nano", "passed"), ("mega2560", "passed")])
def test_a_teachers_say_reaches_the_scripts_when_message(board, shown, write_script):
    run, _ = _run_with_controls(board, write_script(LISTENER), [(1.0, "say", "open"), (2.0, "say", "打开")])
    assert run.crash is None
    got = [o for o in run.outputs if o.text.startswith("got")]
    assert [o.text for o in got] == [f"got say open {shown}", f"got say 打开 {shown}"]
    assert got[0].t == pytest.approx(1.0, abs=0.05) and got[1].t == pytest.approx(2.0, abs=0.05)
    assert "Teacher 老师 (7a.teacher.wang): open" in run.printed     # the lesson run shows it too


def test_the_mpython_board_shows_a_say_on_its_display(write_script):
    run, _ = _run_with_controls("mpython", write_script(LISTENER), [(1.0, "say", "Tidy up! 整理桌面")])
    assert run.world.display_text() == "Tidy up! 整理桌面"


@pytest.mark.parametrize("board", ["esp32", "uno"])
def test_a_teachers_stop_ends_the_run(board, write_script):
    script = write_script("""
        def main(kit):
            led = kit.led(kit.pins.led)
            led.on()
            kit.pause()
    """)
    run, _ = _run_with_controls(board, script, [(1.0, "stop", None)], seconds=5.0)
    assert run.crash is None and run.elapsed == pytest.approx(1.0, abs=0.1)
    assert "Teacher 老师 (7a.teacher.wang): stop. 停下。" in run.printed
    assert run.level_at(run.pin("led"), run.elapsed) == 0.0       # its outputs off, the LED too


def test_when_message_stops_listening_when_the_run_ends(write_script):
    kit = open_kit(sim=True, board="esp32", clock="virtual")
    try:
        first, _ = _run_with_controls("esp32", write_script(LISTENER, "first.py"), [(0.5, "say", "one")], kit=kit)
        quiet = write_script("def main(kit):\n    kit.pause()\n", "second.py")
        second, _ = _run_with_controls("esp32", quiet, [(0.5, "say", "two")], kit=kit)
    finally:
        kit.close()
    assert [o.text for o in first.outputs if o.text.startswith("got")] == ["got say one passed"]
    assert not [o for o in second.outputs if o.text.startswith("got")]


def test_the_firmware_ignores_a_malformed_control_and_a_tethered_board_hears_no_broker():
    from makerkit.errors import UsageError
    from makerkit.sim import VirtualKit
    with VirtualKit("esp32") as sim:
        assert sim.receive_control(b"not json") is True
        sim.advance(0.05)
        assert sim.device.app.server.control.ignored == 1
    with VirtualKit("uno") as sim, pytest.raises(UsageError) as info:
        sim.receive_control(b'{"v":1,"id":"r-1","cmd":"stop"}')
    assert "no network" in info.value.message_en and "没有网络" in info.value.message_zh
