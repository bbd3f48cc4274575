"""The wiring check in ``makerkit lesson run`` and ``check`` (through click's CliRunner):
it stops before the script with exit status 23, lists every fault, and ``--skip-wiring-check`` skips it."""

from __future__ import annotations


import pytest
from click.testing import CliRunner

from makerkit.cli import cli
from makerkit.lessons_runner import EXIT_PASSED, EXIT_SCRIPT_CRASHED, EXIT_WIRING_FAULT

from support.wiring_kit import make_lesson


@pytest.fixture
def runner(monkeypatch):
    monkeypatch.setenv("MAKERKIT_LANG", "en")
    return CliRunner()


def test_help_offers_the_options(runner):
    for command in ("run", "check"):
        out = runner.invoke(cli, ["lesson", command, "--help"]).output
        assert "--skip-wiring-check" in out and "--sim-fault" in out


def test_a_wiring_fault_stops_check_before_the_script(runner):
    result = runner.invoke(cli, ["lesson", "check", "03-thermometer", "--sim", "--solution",
                                 "--sim-fault", "unplugged:D4"])
    assert result.exit_code == EXIT_WIRING_FAULT, result.output
    assert "The DHT11 on D4 does not answer." in result.output
    assert "D4 ↔ S (signal / DATA)" in result.output and "--skip-wiring-check" in result.output
    assert "Well done" not in result.output and "Traceback" not in result.output


def test_skip_wiring_check_runs_the_script_on_the_faulty_kit(runner):
    result = runner.invoke(cli, ["lesson", "check", "03-thermometer", "--sim", "--solution",
                                 "--sim-fault", "unplugged:D4", "--skip-wiring-check"])
    assert result.exit_code == EXIT_SCRIPT_CRASHED, result.output     # the script met the unplugged DHT
    assert "Checking the wiring" not in result.output


def test_lesson_run_has_the_same_check_and_the_same_skip(runner):
    args = ["lesson", "run", "02-button-led", "--sim", "--board", "esp32", "--solution", "--seconds", "0.5",
            "--sim-fault", "stuck:GPIO4"]
    stopped = runner.invoke(cli, args)
    assert stopped.exit_code == EXIT_WIRING_FAULT, stopped.output
    assert "reads pressed" in stopped.output and "Running" not in stopped.output
    skipped = runner.invoke(cli, [*args, "--skip-wiring-check"])
    assert skipped.exit_code == EXIT_PASSED, skipped.output
    assert "Running solution.py" in skipped.output


def test_a_right_wiring_goes_on_to_the_checker(runner):
    result = runner.invoke(cli, ["lesson", "check", "02-button-led", "--sim", "--solution"])
    assert result.exit_code == EXIT_PASSED, result.output
    assert "The wiring looks right." in result.output and "Well done" in result.output


def test_every_fault_is_listed_in_both_languages(runner, tmp_path, monkeypatch):
    lesson = str(make_lesson(tmp_path))
    args = ["lesson", "check", lesson, "--sim", "--solution", "--sim-fault", "unplugged:D4",
            "--sim-fault", "no-echo:D7", "--sim-fault", "i2c-moved:0x38:0x39"]
    result = runner.invoke(cli, args)
    assert result.exit_code == EXIT_WIRING_FAULT, result.output
    for words in ("does not answer", "hears no echo", "answers at 0x39", "3 problems"):
        assert words in result.output
    monkeypatch.setenv("MAKERKIT_LANG", "zh")
    result = runner.invoke(cli, args)
    assert result.exit_code == EXIT_WIRING_FAULT
    for words in ("没有回应", "听不到回声", "0x39", "发现了 3 个问题", "检查这些线：D4 ↔ S (signal)（脚）"):
        assert words in result.output


def _main(args, capsys) -> tuple[int, str]:
    """Through the CLI's error boundary (makerkit.cli.main), as the makerkit command runs."""
    from makerkit.cli import main
    with pytest.raises(SystemExit) as stopped:
        main(args)
    captured = capsys.readouterr()
    return stopped.value.code, captured.out + captured.err


def test_sim_fault_needs_the_virtual_kit(runner, capsys):
    code, out = _main(["lesson", "check", "03-thermometer", "--port", "socket://127.0.0.1:9", "--solution",
                       "--sim-fault", "unplugged:D4"], capsys)
    assert code == 2 and "--sim-fault is for the virtual kit" in out


def test_an_unknown_fault_is_a_usage_error(runner, capsys):
    code, out = _main(["lesson", "check", "03-thermometer", "--sim", "--solution", "--sim-fault", "loose:D4"], capsys)
    assert code == 2 and "unplugged" in out
