"""Lessons 14-17 on a real kit: here the virtual ESP32 served on socket:// in real time, so the host
sees only the link, as with a board on a USB cable. The checkers judge what the host saw (what was
published, the events, the parts, the guesses printed) and say what needs the virtual kit."""

from __future__ import annotations

import threading

import pytest

import makerkit
from makerkit.lessons_runner import EXIT_PASSED, check_lesson
from makerkit.lessons_runner.findings import SKIP
from makerkit.sim import serve


@pytest.fixture
def served():
    server = serve("esp32", listen="127.0.0.1:0")
    kit = makerkit.connect(server.url, timeout=3)
    yield kit, server.kit.world
    kit.close()
    server.close()


def _summary(report):
    return [f"{f.status}: {f.message('en')}" for f in report.findings]


def _passes_and_names_what_needs_the_virtual_kit(report):
    assert not report.sim and report.exit_code == EXIT_PASSED, _summary(report)
    skipped = [f for f in report.findings if f.status == SKIP]
    assert skipped and all("--sim" in f.message("en") for f in skipped)


def test_the_weather_station_is_graded_on_names_units_and_pace(served):
    kit, _ = served
    report = check_lesson("14-weather-station", kit=kit, solution=True, seconds=16)
    _passes_and_names_what_needs_the_virtual_kit(report)
    assert {p.name for p in report.run.published} == {"temperature", "humidity", "light"}


def test_the_alarm_is_graded_on_its_events(served):
    kit, world = served
    world.set_temperature(31)
    cooled = threading.Timer(3.0, lambda: world.set_temperature(25))
    cooled.start()
    try:
        report = check_lesson("15-alarm", kit=kit, solution=True, seconds=7)
    finally:
        cooled.cancel()
    _passes_and_names_what_needs_the_virtual_kit(report)
    assert [e.name for e in report.run.events] == ["alarm", "all_clear"]


def test_the_remote_control_needs_the_virtual_kit_for_the_teacher(served):
    kit, _ = served
    report = check_lesson("16-remote-control", kit=kit, solution=True, seconds=1)
    _passes_and_names_what_needs_the_virtual_kit(report)


def test_the_classifier_is_graded_on_its_guesses_being_printed(served):
    kit, _ = served
    report = check_lesson("17-ai-classifier", kit=kit, solution=True, seconds=13)
    _passes_and_names_what_needs_the_virtual_kit(report)
