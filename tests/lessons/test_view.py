"""The live view of ``lesson run``: the terminal chart, print capture, and running on a real kit's port."""

from __future__ import annotations

import io
import re

from click.testing import CliRunner
from rich.console import Console

from makerkit.cli import cli
from makerkit.lessons_runner import LevelChange, Output, Reading, ScenarioEvent
from makerkit.lessons_runner.chart import Series, render
from makerkit.lessons_runner.recorder import Recorder


def test_chart_draws_columns_with_the_scale():
    series = Series("temperature", "°C", width=10)
    for t, value in enumerate([18, 18, 18, 24, 30, 30]):
        series.add(float(t), value)
    title, *rows = render(series, height=4)
    assert title.startswith("temperature: 30.0 °C") and "min 18.0, max 30.0, 6 readings" in title
    assert len(rows) == 4
    assert rows[0].startswith("30.6 ┤") and rows[-1].startswith("17.4 ┤")
    columns = [row.split("┤")[-1].split("│")[-1] for row in rows]
    assert all(len(c) == 6 for c in columns)
    assert columns[0][-1] in "▆▇█" and columns[0][0] == " "      # 30 reaches the top, 18 does not
    assert columns[-1][0] != " "                                  # 18 still shows at the bottom


def test_chart_keeps_only_the_newest_points_and_ignores_non_numbers():
    series = Series("humidity", "%", width=5)
    for t in range(100):
        series.add(float(t), t)
    series.add(100.0, float("nan"))
    series.add(101.0, True)
    assert len(series) == 5 and series.last == 99.0
    flat = Series("flat")
    flat.add(0.0, 3.0)
    assert render(flat)[0].startswith("flat: 3.0")
    assert render(Series("empty"))[0] == "empty: (no readings yet)"


def test_print_capture_keeps_lines_with_their_time():
    clock = iter([0.0, 1.0, 1.5, 2.5, 3.0]).__next__   # start, then one reading per print and flush
    seen = []
    rec = Recorder(clock, seen.append)
    rec.print("a", 1, sep="-")
    rec.print("partial", end="")
    rec.print(" line\nnext", end="")
    rec.flush()
    assert [(o.t, o.text) for o in rec.of(Output)] == [(1.0, "a-1"), (2.5, "partial line"), (3.0, "next")]
    assert seen == rec.events
    err = io.StringIO()
    rec.print("to a file", file=err)
    assert err.getvalue() == "to a file\n" and len(rec.of(Output)) == 3


def test_the_run_view_draws_a_live_chart_on_a_terminal():
    from makerkit.cli.lesson import _RunView
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=80)
    with _RunView(console, ("temperature", "humidity")) as view:
        view(ScenarioEvent(0.0, "the room is now 18 °C", "房间现在是 18 °C"))
        for t, temp in ((0.0, 18.0), (2.0, 18.0), (4.0, 30.0)):
            view(Reading(t, "dht11", "D4", "temperature", temp))
            view(Reading(t, "dht11", "D4", "humidity", 40.0))
            view(Output(t, f"{temp} °C 40 %"))
        view(LevelChange(5.0, "D13", 1.0))
    text = out.getvalue()
    assert "temperature: 30.0 °C" in text and "humidity: 40.0 %" in text
    assert "30.0 °C 40 %" in text and "👉 the room is now 18 °C" in text and "💡 D13: on" in text


def test_run_on_a_real_kit_port(stock_board_url):
    result = CliRunner().invoke(cli, ["--lang", "en", "lesson", "run", "01-blink", "--port", stock_board_url,
                                      "--board", "uno", "--solution", "--seconds", "1.2"])
    assert result.exit_code == 0, result.output
    assert f"on {stock_board_url}" in result.output
    assert "💡 D13: on" in result.output and "💡 D13: off" in result.output
    assert re.search(r"Stopped after 1\.\d s\.", result.output)


def test_check_on_a_real_kit_port(stock_board_url):
    result = CliRunner().invoke(cli, ["--lang", "en", "lesson", "check", "03-thermometer", "--port", stock_board_url,
                                      "--solution"])
    assert result.exit_code == 21
    assert "FeatureNotSupportedError" in result.output and "makerkit flash --board uno" in result.output


def test_a_terminal_without_utf8_gets_plain_markers():
    from makerkit.cli.lesson import _RunView, _symbol

    class Gbk(io.StringIO):
        encoding = "gbk"

    out = Gbk()
    console = Console(file=out, width=80)
    assert _symbol(console, "led") == "*" and _symbol(console, "pass") == "OK"
    with _RunView(console, ()) as view:
        view(LevelChange(1.0, "D13", 0.0))
    assert "* D13: off" in out.getvalue()
    out.getvalue().encode("gbk")


def test_a_runaway_script_cannot_fill_the_memory(monkeypatch):
    import makerkit.lessons_runner.recorder as recorder
    monkeypatch.setattr(recorder, "_MAX_EVENTS", 10)
    seen = []
    rec = Recorder(lambda: 0.0, seen.append)
    for i in range(25):
        rec.print(i)
    assert len(rec.events) == 10 and rec.dropped == 15
    assert len(seen) == 25 and seen[-1].text == "24"          # the live view still shows everything
