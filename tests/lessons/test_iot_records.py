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
