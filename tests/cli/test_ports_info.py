"""``makerkit ports`` and ``makerkit info``: through click's CliRunner (with the CLI's one error
boundary) and as real subprocesses, against fake boards on ptys and the virtual kit."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from makerkit.cli import main
from makerkit.transport import open_transport
from support import fake_comports
from support.fake_board import FakeBoard, FakeSocketBoard

TESTS = str(Path(__file__).resolve().parent.parent)   # where the support package is


@click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
               add_help_option=False)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def boundary(args):
    """Run makerkit's real entry point (its error boundary included) inside CliRunner."""
    main(list(args))


def run(*args, lang="en"):
    return CliRunner().invoke(boundary, ["--lang", lang, *args], catch_exceptions=False)


def run_process(*args, comports=None, tmp_path=None, timeout=60):
    env = dict(os.environ, MAKERKIT_LANG="en", PYTHONPATH=TESTS)
    boot = "import sys\n"
    if comports is not None:
        path = tmp_path / "comports.json"
        path.write_text(json.dumps(comports))
        boot += f"from support import fake_comports; fake_comports.install_from_json({str(path)!r})\n"
    boot += "from makerkit.cli import main; main(sys.argv[1:])\n"
    return subprocess.run([sys.executable, "-c", boot, *args], capture_output=True, text=True,
                          timeout=timeout, env=env)


@pytest.fixture(autouse=True)
def english(monkeypatch):
    """``--lang`` sets MAKERKIT_LANG for the process; give it back after each test."""
    monkeypatch.setenv("MAKERKIT_LANG", "en")


def assert_clean_failure(result, code, *needles):
    """Non-zero exit with a message and a hint, no traceback (CliRunner result or subprocess)."""
    if isinstance(result, subprocess.CompletedProcess):
        output, exit_code = result.stdout + result.stderr, result.returncode
    else:
        output, exit_code = result.output, result.exit_code
    assert exit_code == code, output
    assert "Traceback" not in output
    assert "Error:" in output and "Hint:" in output
    for needle in needles:
        assert needle in output, output


# --- help -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("command", ["ports", "info"])
def test_help(command):
    result = run(command, "--help")
    assert result.exit_code == 0 and "--json" in result.output
    assert ("--probe" in result.output) == (command == "ports")


# --- makerkit ports ---------------------------------------------------------------------------------------

def test_ports_json_lists_bridges_and_candidates(monkeypatch):
    fake_comports.install(monkeypatch)
    result = run("ports", "--json")
    assert result.exit_code == 0, result.output
    ports = {p["port"]: p for p in json.loads(result.output)}
    assert ports["/dev/ttyUSB0"]["bridge"] == "CH340" and ports["/dev/ttyUSB0"]["is_ambiguous"]
    assert ports["/dev/ttyUSB1"]["usb_id"] == "1A86:55D4" and ports["/dev/ttyUSB1"]["bridge"] == "CH9102"
    assert ports["/dev/ttyUSB2"]["bridge"] == "CP2102/CP2104"
    assert ports["/dev/ttyACM0"]["candidates"] == ["uno"]
    assert ports["/dev/ttyS0"]["is_likely_board"] is False
    assert all("probe" not in p for p in ports.values())


def test_ports_table_in_both_languages(monkeypatch):
    fake_comports.install(monkeypatch)
    en = run("ports")
    assert en.exit_code == 0 and "CH340" in en.output and "1A86:7523" in en.output
    assert "--probe tells" in en.output and "(not a board)" in en.output
    zh = run("ports", lang="zh")
    assert zh.exit_code == 0 and "桥接芯片" in zh.output and "（不是开发板）" in zh.output


def test_ports_probe_names_the_board_behind_an_ambiguous_bridge(monkeypatch):
    esp = {"fw": "makerkit", "version": "1.0.0", "proto": 1, "board": "esp32", "kit": "kit-11",
           "class": "8b", "boot": 4, "features": ["telemetry"]}
    with FakeBoard(identity=esp) as board, FakeBoard() as other:
        fake_comports.install(monkeypatch, [
            (board.port, 0x1A86, 0x7523, None, None, "USB2.0-Serial", "1-1.1:1.0"),
            (other.port, None, None, None, None, None, None)])
        result = run("ports", "--probe")
        text = run("ports", "--probe", "--json")
        assert not other.touched  # not a likely board: never opened
    assert result.exit_code == 0, result.output
    assert "makerkit 1.0.0, esp32, kit kit-11, class 8b" in result.output
    data = {p["port"]: p for p in json.loads(text.output)}
    assert data[board.port]["probe"]["board"] == "esp32" and data[board.port]["bridge"] == "CH340"
    assert "probe" not in data[other.port]


def test_ports_probe_named_port_and_a_silent_one(monkeypatch):
    fake_comports.install(monkeypatch, [])
    with FakeBoard() as good, FakeBoard(silent=True) as silent:
        # 2 s: the silent board costs all of it, the good one has 1 s at 115200 on a loaded machine
        result = run("ports", "--probe", good.port, silent.port, "--timeout", "2")
    assert_clean_failure(result, 3, "kit-07", "not running Firmata or makerkit firmware", "makerkit flash")


def test_ports_probe_with_no_board_plugged_in(monkeypatch):
    fake_comports.install(monkeypatch, [("/dev/ttyS0", None, None, None, None, None, None)])
    result = run("ports", "--probe")
    assert result.exit_code == 0 and "No boards found" in result.output and "/dev/ttyS0" in result.output
    zh = run("ports", "--probe", lang="zh")
    assert zh.exit_code == 0 and "没有找到开发板" in zh.output
    fake_comports.install(monkeypatch, [])
    empty = run("ports", "--json")
    assert empty.exit_code == 0 and json.loads(empty.output) == []


def test_ports_probe_of_a_missing_port(monkeypatch):
    fake_comports.install(monkeypatch)
    result = run("ports", "--probe", "/dev/ttyUSB-makerkit-none")
    assert_clean_failure(result, 3, "There is no serial port called /dev/ttyUSB-makerkit-none",
                         "/dev/ttyUSB0", "makerkit ports")


def test_ports_subprocess_json(tmp_path):
    rows = [list(r) for r in fake_comports.CLASSROOM]
    result = run_process("ports", "--json", comports=rows, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    ports = json.loads(result.stdout)
    assert [p["port"] for p in ports][:2] == ["/dev/ttyACM0", "/dev/ttyACM1"]
    assert {p["bridge"] for p in ports} >= {"CH340", "CH9102", "CP2102/CP2104", "FT232R", "ATmega16U2"}


# --- makerkit info --------------------------------------------------------------------------------------

def test_info_makerkit_board_text_and_json():
    with FakeBoard() as board:
        text = run("info", "--port", board.port)
        data = run("info", "--port", board.port, "--json")
        zh = run("info", "--port", board.port, lang="zh")
    assert text.exit_code == 0, text.output
    assert "makerkit 1.0.0" in text.output and "kit-07" in text.output and "Arduino Uno" in text.output
    info = json.loads(data.output)
    assert info["firmware"]["name"] == "makerkit" and info["firmware"]["version"] == "1.0.0"
    assert (info["board"], info["kit"], info["class"]) == ("uno", "kit-07", "7a")
    assert "套件编号" in zh.output and "班级" in zh.output


def test_info_stock_standard_firmata():
    with FakeBoard(name="StandardFirmata.ino", version=(2, 5), baud=57600) as board:
        # 4 s: 57600 gets the second 2 s to answer on a loaded machine
        data = run("info", "--port", board.port, "--json", "--timeout", "4")
        text = run("info", "--port", board.port, "--timeout", "4")
    info = json.loads(data.output)
    assert info["firmware"] == {"name": "StandardFirmata", "version": "2.5", "file": "StandardFirmata.ino", "protocol": "2.6",
                                "is_makerkit": False}
    assert info["baud"] == 57600 and info["kit"] == "" and info["board"] == "uno"
    assert "StandardFirmata 2.5" in text.output and "stock Firmata" in text.output


def test_info_over_a_socket():
    with FakeSocketBoard() as board:
        result = run("info", "--port", board.url, "--json")
    assert result.exit_code == 0 and json.loads(result.output)["kit"] == "kit-07"


def test_info_failures_say_what_and_what_to_do(tmp_path):
    missing = run("info", "--port", "/dev/ttyUSB-makerkit-none")
    assert_clean_failure(missing, 3, "no serial port called /dev/ttyUSB-makerkit-none")
    with FakeBoard(silent=True) as board:
        silent = run("info", "--port", board.port, "--timeout", "0.6")
        zh = run("info", "--port", board.port, "--timeout", "0.4", lang="zh")
        with open_transport(board.port):
            busy = run("info", "--port", board.port)
    assert_clean_failure(silent, 3, "not running Firmata or makerkit firmware", "makerkit flash --board uno")
    assert zh.exit_code == 3 and "错误" in zh.output and "提示" in zh.output and "烧录" in zh.output
    assert_clean_failure(busy, 3, "already open in this same program")
    bad = run("info", "--port", "carrier-pigeon://coop")
    assert_clean_failure(bad, 2, "not a port makerkit can open")
    no_port = run("info")
    assert no_port.exit_code == 2 and "--port" in no_port.output


def test_info_subprocess_against_a_fake_board(tmp_path):
    with FakeBoard() as board:
        ok = run_process("info", "--port", board.port, "--json", tmp_path=tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["kit"] == "kit-07"
    bad = run_process("info", "--port", "/dev/ttyUSB-makerkit-none", tmp_path=tmp_path)
    assert_clean_failure(bad, 3, "no serial port called")


# --- the virtual kit -------------------------------------------------------------------------------------

def test_info_of_a_virtual_kit():
    text = run("info", "--port", "sim://esp32")
    data = run("info", "--port", "sim://uno", "--json")
    assert text.exit_code == 0, text.output
    assert "makerkit" in text.output and "ESP32 DevKitC" in text.output
    info = json.loads(data.output)
    assert info["firmware"]["is_makerkit"] and info["board"] == "uno" and info["url"] == "sim://uno"
    unknown = run("info", "--port", "sim://toaster")
    assert_clean_failure(unknown, 2, "toaster", "makerkit boards")


@pytest.fixture
def sim_server():
    """``makerkit sim serve --board esp32 --pty`` in its own process: a pty path and a socket URL."""
    pytest.importorskip("makerkit.sim.server")
    env = dict(os.environ, MAKERKIT_LANG="en")
    server = subprocess.Popen([sys.executable, "-m", "makerkit", "sim", "serve", "--board", "esp32", "--pty",
                               "--listen", "127.0.0.1:0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env=env)
    found = {}
    try:
        deadline = time.monotonic() + 30
        seen = b""
        while len(found) < 2 and time.monotonic() < deadline:  # raw reads: no hidden buffering
            ready, _, _ = select.select([server.stdout], [], [], deadline - time.monotonic())
            if not ready:
                break
            chunk = os.read(server.stdout.fileno(), 4096)
            if not chunk:
                break
            seen += chunk
            complete = seen[:seen.rfind(b"\n") + 1]  # whole lines only
            for word in complete.decode(errors="replace").split():
                if word.startswith("socket://"):
                    found["url"] = word
                elif word.startswith("/dev/"):
                    found["pty"] = word
        assert len(found) == 2, f"sim serve did not start: {found} {server.stderr.read().decode() if server.poll() is not None else ''}"
        found["pid"] = server.pid
        yield found
    finally:
        server.terminate()  # this test's own process, by its handle
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


def test_ports_and_info_against_makerkit_sim_serve(sim_server, tmp_path):
    pty, url = sim_server["pty"], sim_server["url"]
    listing = run_process("ports", "--probe", pty, url, "--json", tmp_path=tmp_path)
    assert listing.returncode == 0, listing.stderr
    by_port = {p["port"]: p for p in json.loads(listing.stdout)}
    assert by_port[pty]["probe"]["board"] == "esp32" and by_port[url]["probe"]["board"] == "esp32"
    assert by_port[pty]["probe"]["baud"] == 115200 and by_port[url]["probe"]["baud"] is None
    server = [h for h in by_port[pty]["holders"] if h["pid"] == sim_server["pid"]]
    assert server and server[0]["other_end"] is True  # the pty's own server, not a competitor
    text = run("ports", "--probe", pty)
    assert "pseudo-terminal served by" in text.output and "in use by" not in text.output
    info = run_process("info", "--port", pty, "--json", tmp_path=tmp_path)
    assert info.returncode == 0, info.stderr
    data = json.loads(info.stdout)
    assert data["firmware"]["name"] == "makerkit" and data["board"] == "esp32" and "repl" in data["features"]
    text = run("info", "--port", url)
    assert text.exit_code == 0 and "ESP32 DevKitC" in text.output and "makerkit 1.0.0" in text.output
