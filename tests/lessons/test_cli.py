"""``makerkit lesson list | show | run | check`` through click's CliRunner and as real subprocesses."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from makerkit.cli import cli
from makerkit.lessons_runner import EXIT_CHECK_FAILED, EXIT_SCRIPT_CRASHED


@pytest.fixture
def runner(monkeypatch):
    monkeypatch.setenv("MAKERKIT_LANG", "en")
    return CliRunner()


def _makerkit(*args, lang="en", timeout=60, **kw):
    env = dict(os.environ, MAKERKIT_LANG=lang, PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "makerkit", *args], capture_output=True, text=True,
                          timeout=timeout, env=env, **kw)


@pytest.mark.parametrize("args", [["lesson"], ["lesson", "list"], ["lesson", "show"], ["lesson", "run"],
                                  ["lesson", "check"]])
def test_every_command_has_help(runner, args):
    result = runner.invoke(cli, [*args, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_help_shows_the_kit_options(runner):
    out = runner.invoke(cli, ["lesson", "check", "--help"]).output
    for option in ("--port", "--sim", "--board", "--script", "--solution"):
        assert option in out


def test_list(runner):
    result = runner.invoke(cli, ["lesson", "list"])
    assert result.exit_code == 0
    for text in ("01-blink", "02-button-led", "03-thermometer", "Blink the built-in LED",
                 "makerkit lesson run 01-blink --sim"):
        assert text in result.output


def test_list_in_chinese(runner):
    result = runner.invoke(cli, ["--lang", "zh", "lesson", "list"])
    assert result.exit_code == 0 and "让板载 LED 闪烁" in result.output and "温湿度计" in result.output


def test_show_prints_readme_wiring_and_parts(runner):
    result = runner.invoke(cli, ["lesson", "show", "02-button-led"])
    assert result.exit_code == 0
    out = result.output
    assert "# Lesson 2: A button controls the LED" in out
    assert "A push button" in out and "Wiring: ESP32 DevKitC" in out and "GPIO4" in out
    assert "starter.py" in out and "solution.py" in out


def test_show_in_chinese_for_one_board(runner):
    result = runner.invoke(cli, ["--lang", "zh", "lesson", "show", "3", "--board", "mpython"])
    assert result.exit_code == 0
    out = result.output
    assert "# 第 3 课：温湿度计（DHT11）" in out and "接线：掌控板" in out and "P0" in out
    assert "Wiring: ESP32" not in out


def test_check_solution_passes(runner):
    result = runner.invoke(cli, ["lesson", "check", "01-blink", "--sim", "--solution"])
    assert result.exit_code == 0, result.output
    assert "✔ The LED on D13 blinked 10 times" in result.output and "Well done" in result.output


def test_check_starter_fails_with_what_to_do(runner):
    result = runner.invoke(cli, ["lesson", "check", "02-button-led", "--sim", "--board", "esp32"])
    assert result.exit_code == EXIT_CHECK_FAILED
    assert "✘ The button was let go at 2.5 s, but the LED on GPIO2 stayed on." in result.output
    assert "What to do: Add `else:`" in result.output and "Not yet" in result.output


def test_check_in_chinese(runner):
    result = runner.invoke(cli, ["--lang", "zh", "lesson", "check", "01-blink", "--sim"])
    assert result.exit_code == EXIT_CHECK_FAILED
    assert "D13 上的 LED 亮了，但是再也没有熄灭" in result.output and "怎么改：" in result.output


def test_check_a_crashing_script_shows_the_students_traceback(runner, write_script):
    script = write_script("""
        def main(kit):
            led = kit.led("LED_BUILTIN")
            led.onn()
    """, name="my_blink.py")
    result = runner.invoke(cli, ["lesson", "check", "01-blink", "--sim", "--script", str(script)])
    assert result.exit_code == EXIT_SCRIPT_CRASHED
    out = result.output
    assert "Your program stopped with an error" in out
    assert 'my_blink.py", line 4, in main' in out and "led.onn()" in out
    assert "AttributeError" in out and "Hint:" in out and "line 4 of my_blink.py" in out
    assert "makerkit/lessons_runner" not in out


def test_run_for_a_few_seconds(runner):
    result = runner.invoke(cli, ["lesson", "run", "01-blink", "--sim", "--solution", "--seconds", "1.2"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Running solution.py of lesson 01-blink on the virtual uno" in out
    assert "💡 D13: on" in out and "💡 D13: off" in out and "亮 on" in out
    assert re.search(r"Stopped after 1\.\d s\.", out)        # real time: a loaded machine may overshoot


def test_run_a_starter_that_finishes(runner):
    result = runner.invoke(cli, ["lesson", "run", "01-blink", "--sim"])
    assert result.exit_code == 0
    assert "Your program finished after 0.5 s." in result.output
    assert "makerkit lesson check 01-blink --sim --script my_blink.py" in result.output


def test_run_a_crashing_script_exits_non_zero(runner, write_script):
    script = write_script("def main(kit):\n    kit.sleep('long')\n")
    result = runner.invoke(cli, ["lesson", "run", "01-blink", "--sim", "--script", str(script)])
    assert result.exit_code == EXIT_SCRIPT_CRASHED
    assert "UsageError: kit.sleep() needs a number of seconds, like kit.sleep(0.5), not 'long'." in result.output
    assert "Write the number without quotes" in result.output


# --- as a subprocess: the one error boundary, exit codes, Ctrl-C -----------------------------------

def test_subprocess_check_the_starter():
    proc = _makerkit("lesson", "check", "01-blink", "--sim")
    assert proc.returncode == EXIT_CHECK_FAILED, proc.stderr
    assert "never turned off" in proc.stdout and "Traceback" not in proc.stderr


def test_subprocess_check_the_solution_passes():
    proc = _makerkit("lesson", "check", "01-blink", "--sim", "--solution")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Well done! Lesson 01-blink passed." in proc.stdout


@pytest.mark.parametrize("args, code, message, hint", [
    (["lesson", "check", "01-blink"], 2, "Say which kit to use", "makerkit lesson run 01-blink --sim"),
    (["lesson", "run", "99-nothing", "--sim"], 2, "There is no lesson called '99-nothing'", "makerkit lesson list"),
    (["lesson", "check", "01-blink", "--port", "/dev/ttyNOPE0"], 3, "/dev/ttyNOPE0", "makerkit ports"),
    (["lesson", "check", "01-blink", "--sim", "--board", "arduino101"], 2, "arduino101", "makerkit boards"),
    (["lesson", "check", "01-blink", "--sim", "--script", "nothing_here.py"], 2, "nothing_here.py", "file name"),
])
def test_subprocess_failures_have_a_message_and_a_hint(args, code, message, hint):
    proc = _makerkit(*args)
    assert proc.returncode == code, proc.stdout + proc.stderr
    assert "Error: " in proc.stderr and message in proc.stderr
    assert "Hint: " in proc.stderr and hint in proc.stderr
    assert "Traceback" not in proc.stderr


def test_subprocess_failure_in_chinese():
    proc = _makerkit("lesson", "check", "01-blink", lang="zh")
    assert proc.returncode == 2
    assert "错误：请指定使用哪个套件" in proc.stderr and "提示：" in proc.stderr


def test_subprocess_run_stops_on_ctrl_c():
    env = dict(os.environ, MAKERKIT_LANG="en", PYTHONIOENCODING="utf-8", PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-m", "makerkit", "lesson", "run", "01-blink", "--sim", "--solution"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        lines = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            lines.append(line)
            if "D13: off" in line or not line:
                break
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
    assert proc.returncode == 0, err
    assert any("D13: off" in line for line in lines)
    assert "Stopped (Ctrl-C) after" in out and "Traceback" not in err
