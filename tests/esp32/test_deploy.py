"""makerkit deploy through mpremote's transport: the unix-port MicroPython and the virtual ESP32."""

from __future__ import annotations

import hashlib
import json
import logging
import socket
import subprocess
import sys
import threading

import pytest
from support.mp_unix import UnixMicroPython

from makerkit.errors import NoAnswerError, PortNotFoundError, UsageError
from makerkit.flash.deploy import deploy, firmware_files
from makerkit.protocol.telemetry import INC_RE

WIFI_SECRET = "wifi-Secret-4711"
BROKER_SECRET = "broker-Secret-0815"


@pytest.fixture
def unix_board(tmp_path):
    with UnixMicroPython(tmp_path / "fs") as board:
        yield board


def _files_on(fs_dir):
    return {"/" + str(p.relative_to(fs_dir)): p.read_bytes() for p in fs_dir.rglob("*") if p.is_file()}


def test_deploy_copies_firmware_then_skips_unchanged_files(unix_board):
    fs = unix_board.fs_dir
    first = deploy(port=unix_board.url, kit_id="kit-07", class_id="7a", wifi_ssid="lab",
                   wifi_password=WIFI_SECRET, broker="mqtt://10.0.0.2:1883", username="kit-07",
                   password=BROKER_SECRET, interval=5, board="esp32", confirm=False)
    local = firmware_files()
    on_board = _files_on(fs)
    for path, data in local.items():
        assert on_board[path] == data, path
    assert not [p for p in on_board if p.endswith(".part")]
    config = json.loads(on_board["/makerkit.json"])
    inc = config.pop("inc")
    given = {"kit": "kit-07", "class": "7a", "wifi_ssid": "lab", "wifi_password": WIFI_SECRET,
             "broker": "mqtt://10.0.0.2:1883", "username": "kit-07", "password": BROKER_SECRET, "interval": 5}
    assert {key: config[key] for key in given} == given          # the other keys keep their defaults
    # a new kit: a fresh incarnation, written with its counters (which start again inside it)
    assert INC_RE.match(inc) and first.inc == inc and json.loads(on_board["/mkfw_state.json"]) == {"inc": inc}
    board_json = json.loads(on_board["/mkfw_board.json"])
    assert board_json["id"] == "esp32" and [2, "GPIO2", "iop", -1] in board_json["pins"]
    assert set(first.copied) == set(local) | {"/makerkit.json", "/mkfw_board.json", "/mkfw_state.json"}
    assert first.copied[-1] == "/main.py" and first.skipped == ()
    assert first.kit == "kit-07" and first.class_id == "7a" and not first.confirmed

    # the unix port "reset" at the end of the deploy; the next connection starts it again
    second = deploy(port=unix_board.url, kit_id="kit-08", class_id="7a", board="esp32", confirm=False)
    assert second.copied == ("/mkfw_state.json", "/makerkit.json")
    assert len(second.skipped) == len(first.copied) - 2           # all but the config and the counters file
    config = json.loads((fs / "makerkit.json").read_text())
    assert config["kit"] == "kit-08" and config["wifi_password"] == WIFI_SECRET   # kept
    assert config["inc"] == second.inc != inc                     # another kit id: its counters start again
    third = deploy(port=unix_board.url, kit_id="kit-08", class_id="7a", board="esp32", confirm=False,
                   wifi_password="")                                           # "" clears
    assert third.copied == ("/makerkit.json",) and third.inc == second.inc     # counters intact: kept
    assert json.loads((fs / "makerkit.json").read_text())["wifi_password"] == ""
    assert unix_board.starts == 3


def test_changed_and_stale_firmware_files(unix_board):
    deploy(port=unix_board.url, kit_id="kit-01", class_id="7b", board="esp32", confirm=False)
    fs = unix_board.fs_dir
    (fs / "mkfw" / "server.py").write_bytes(b"# an older version\n")
    (fs / "mkfw" / "retired.py").write_bytes(b"# a module this version no longer has\n")
    (fs / "student.py").write_bytes(b"print('mine')\n")
    result = deploy(port=unix_board.url, kit_id="kit-01", class_id="7b", board="esp32", confirm=False)
    assert result.copied == ("/mkfw/server.py",) and result.removed == ("/mkfw/retired.py",)
    assert (fs / "mkfw" / "server.py").read_bytes() == firmware_files()["/mkfw/server.py"]
    assert (fs / "student.py").exists()                                      # other files untouched


def test_no_secret_in_logs_progress_or_output(unix_board, caplog, capsys):
    events = []
    with caplog.at_level(logging.DEBUG):
        result = deploy(port=unix_board.url, kit_id="kit-07", class_id="7a", wifi_ssid="lab",
                        wifi_password=WIFI_SECRET, broker="mqtt://10.0.0.2:1883", username="u",
                        password=BROKER_SECRET, board="esp32", confirm=False,
                        progress=lambda *a: events.append(a))
    seen = caplog.text + repr(events) + repr(result) + "".join(capsys.readouterr())
    assert WIFI_SECRET not in seen and BROKER_SECRET not in seen
    phases = [e[0] for e in events]
    assert phases[0] == "connect" and "write" in phases and phases[-1] == "done"
    assert WIFI_SECRET.encode() in unix_board.received                      # it did go to the board


def test_bad_values_are_refused_before_the_port(unix_board):
    for kwargs, key in ((dict(kit_id="Kit 07", class_id="7a"), "kit"),
                        (dict(kit_id="kit-07", class_id="7a", broker="http://x"), "broker"),
                        (dict(kit_id="kit-07", class_id="7a", interval=0), "interval"),
                        (dict(kit_id="kit-07", class_id="7a", wifi_password="x" * 65), "wifi_password")):
        with pytest.raises(UsageError) as info:
            deploy(port=unix_board.url, board="esp32", **kwargs)
        assert info.value.details["key"] == key and info.value.exit_code == 2
    with pytest.raises(UsageError, match="--username"):
        deploy(port=unix_board.url, kit_id="kit-07", class_id="7a", broker=f"mqtt://u:{BROKER_SECRET}@h:1883")
    assert unix_board.starts == 0 and unix_board.received == b""


def test_long_secret_is_shown_as_stars(unix_board):
    with pytest.raises(UsageError) as info:
        deploy(port=unix_board.url, kit_id="kit-07", class_id="7a", wifi_password=WIFI_SECRET * 5)
    assert WIFI_SECRET not in str(info.value) and "***" in info.value.message_en


def test_unknown_board_type_asks_for_board(unix_board):
    with pytest.raises(UsageError, match="--board"):
        deploy(port=unix_board.url, kit_id="kit-07", class_id="7a", confirm=False)


def test_silent_port_gives_no_prompt():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    held = []
    thread = threading.Thread(target=lambda: held.append(server.accept()[0]), daemon=True)
    thread.start()
    try:
        with pytest.raises(NoAnswerError) as info:
            deploy(port=f"socket://127.0.0.1:{server.getsockname()[1]}", kit_id="kit-07",
                   class_id="7a", timeout=2)
        assert "makerkit flash" in info.value.hint_en and info.value.exit_code == 3
    finally:
        for conn in held:
            conn.close()
        server.close()


def test_missing_port():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    port = server.getsockname()[1]
    server.close()
    with pytest.raises(PortNotFoundError):
        deploy(port=f"socket://127.0.0.1:{port}", kit_id="kit-07", class_id="7a")


# -- the virtual ESP32: the real firmware answers afterwards ---------------------------------------

@pytest.fixture
def virtual_esp32(tmp_path):
    sim = pytest.importorskip("makerkit.sim")
    with sim.serve("esp32", listen="127.0.0.1:0", fs_dir=tmp_path / "kitfs") as server:
        yield server


def _cli(*args, timeout=60):
    return subprocess.run([sys.executable, "-m", "makerkit", *args], capture_output=True, text=True,
                          timeout=timeout, env={**__import__("os").environ, "MAKERKIT_LANG": "en"})


def test_deploy_to_the_virtual_kit_confirms_kit_id_and_info_reports_it(virtual_esp32, tmp_path):
    result = deploy(port=virtual_esp32.url, kit_id="kit-07", class_id="7a", wifi_ssid="lab",
                    wifi_password=WIFI_SECRET, broker="mqtt://127.0.0.1:1883", username="kit-07",
                    password=BROKER_SECRET)
    assert result.confirmed and result.repl_via == "mk_repl" and result.board == "esp32"
    assert result.identity["kit"] == "kit-07" and result.identity["class"] == "7a"
    fs = tmp_path / "kitfs"
    for path, data in firmware_files().items():
        assert hashlib.sha256((fs / path.lstrip("/")).read_bytes()).digest() == hashlib.sha256(data).digest()

    info = _cli("info", "--port", virtual_esp32.url, "--json")
    assert info.returncode == 0, info.stderr
    assert json.loads(info.stdout)["kit"] == "kit-07"

    again = deploy(port=virtual_esp32.url, kit_id="kit-07", class_id="7a")
    assert again.copied == () and again.confirmed                          # nothing changed
    assert again.identity["boot"] == result.identity["boot"] + 1


def test_cli_deploy_without_secrets_in_output(virtual_esp32, tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "makerkit", "deploy", "--port", virtual_esp32.url, "--kit-id", "kit-09",
         "--class", "8c", "--wifi-ssid", "lab", "--broker", "mqtt://127.0.0.1:1883", "--username", "k9",
         "--board", "esp32"],
        capture_output=True, text=True, timeout=90,
        env={**__import__("os").environ, "MAKERKIT_LANG": "en", "MAKERKIT_WIFI_PASSWORD": WIFI_SECRET,
             "MAKERKIT_MQTT_PASSWORD": BROKER_SECRET})
    assert run.returncode == 0, run.stderr
    assert "kit-09" in run.stdout and "OK" in run.stdout
    assert WIFI_SECRET not in run.stdout + run.stderr and BROKER_SECRET not in run.stdout + run.stderr
    # the hand-typed login reaches the kit: --username, the password from MAKERKIT_MQTT_PASSWORD
    config = json.loads((tmp_path / "kitfs" / "makerkit.json").read_text(encoding="utf-8"))
    assert (config["username"], config["password"], config["wifi_password"]) == ("k9", BROKER_SECRET, WIFI_SECRET)
    as_json = _cli("deploy", "--port", virtual_esp32.url, "--kit-id", "kit-09", "--class", "8c", "--json")
    assert as_json.returncode == 0, as_json.stderr
    summary = json.loads(as_json.stdout)
    assert summary["confirmed"] and summary["copied"] == [] and summary["kit"] == "kit-09"
    bad = _cli("deploy", "--port", virtual_esp32.url, "--kit-id", "Kit 9", "--class", "8c")
    assert bad.returncode == 2 and "kit" in bad.stderr


def test_boot_window_rescue_after_reset(virtual_esp32):
    """Reset, then deploy at once: the Ctrl-C bytes land in the firmware's 500 ms boot window."""
    virtual_esp32.kit.reset()
    result = deploy(port=virtual_esp32.url, kit_id="kit-11", class_id="9a")
    assert result.repl_via == "ctrl-c" and result.confirmed
    assert result.identity["kit"] == "kit-11"


def test_cli_deploy_with_db_gives_the_kit_its_own_login_and_registers_it(virtual_esp32, tmp_path):
    """The password is generated, written to the kit only (the portfolio keeps its hash), never printed;
    a login in the environment (the collector's, say) is not put on the kit."""
    from makerkit.access.passwords import verify_password
    from makerkit.store import open_store
    db = f"sqlite:///{tmp_path}/p.db"
    with open_store(db) as store:
        store.add_class("8c")
    run = subprocess.run(
        [sys.executable, "-m", "makerkit", "deploy", "--port", virtual_esp32.url, "--kit-id", "kit-09",
         "--class", "8c", "--wifi-ssid", "lab", "--broker", "mqtt://127.0.0.1:1883", "--db", db, "--json"],
        capture_output=True, text=True, timeout=90,
        env={**__import__("os").environ, "MAKERKIT_LANG": "en", "MAKERKIT_WIFI_PASSWORD": WIFI_SECRET,
             "MAKERKIT_MQTT_USERNAME": "8c.collector.room", "MAKERKIT_MQTT_PASSWORD": BROKER_SECRET})
    assert run.returncode == 0, run.stderr
    summary = json.loads(run.stdout)
    assert summary["username"] == "8c.kit-09" and summary["registered"] and summary["confirmed"]
    config = json.loads((tmp_path / "kitfs" / "makerkit.json").read_text())
    assert config["username"] == "8c.kit-09" and config["password"] not in (BROKER_SECRET, "")
    assert config["inc"] == summary["inc"]
    with open_store(db) as store:
        login = store.login("8c.kit-09")
        kit = store.kits("8c", "kit-09")[0]
    assert login["role"] == "kit" and verify_password(config["password"], login["pw_hash"])
    assert (kit["board"], kit["inc"], kit["hw_id"]) == ("esp32", summary["inc"], summary["hw"]) and kit["hw_id"]
    assert kit["firmware"].startswith("makerkit ")
    for secret in (config["password"], WIFI_SECRET, BROKER_SECRET):
        assert secret not in run.stdout + run.stderr
    assert config["password"].encode() not in (tmp_path / "p.db").read_bytes()
    # a redeploy keeps the kit's password while it matches, so a running broker keeps accepting the kit
    again = _cli("deploy", "--port", virtual_esp32.url, "--kit-id", "kit-09", "--class", "8c", "--db", db, "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads((tmp_path / "kitfs" / "makerkit.json").read_text())["password"] == config["password"]
    both = _cli("deploy", "--port", virtual_esp32.url, "--kit-id", "kit-09", "--class", "8c", "--db", db,
                "--username", "someone")
    assert both.returncode == 2 and "own login" in both.stderr
    nowhere = _cli("deploy", "--port", virtual_esp32.url, "--kit-id", "kit-09", "--class", "9z", "--db", db)
    assert nowhere.returncode == 2 and "class import" in nowhere.stderr
