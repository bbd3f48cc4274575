"""Issue 9: ``class provision`` over eight emulated ESP32 devkits at once (ROM loader + MicroPython
running makerkit's firmware behind one port, :mod:`esp32_board`), with two that fail midway: one not in
download mode, one whose port vanishes while the image is written. The six others finish; the table
names the two with a retry command, and that command finishes them. Then ``class status`` and
``class update`` bring an outdated kit up to date, writing only what changed."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys

import pytest
from support.esp32_board import Esp32Board
from support.rom_loader import FLASH_DEFL_DATA

from makerkit.classroom.provision import ALREADY_DONE, FAILED, PROVISIONED, provision, update
from makerkit.errors import DisconnectedError, SyncError
from makerkit.flash import deploy as deploy_module
from makerkit.flash.current import wanted_firmware
from makerkit.roster import import_roster
from makerkit.store import open_store

ROSTER = "name\n" + "".join(f"Student {i}\n" for i in range(1, 9))


def _makerkit(*args, timeout=300):
    return subprocess.run([sys.executable, "-m", "makerkit", *args], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "MAKERKIT_LANG": "en", "COLUMNS": "200",
                                                "MAKERKIT_WIFI_PASSWORD": "lab-pass-1"})


@pytest.fixture
def class_db(tmp_path):
    db = f"sqlite:///{tmp_path}/portfolio.db"
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    with open_store(db) as store:
        import_roster(store, "7a", roster)
    return db


@pytest.fixture
def boards(tmp_path):
    made: list[Esp32Board] = []

    def make(n: int, **kwargs):
        for _ in range(n):
            made.append(Esp32Board(tmp_path / f"fs{len(made)}", **kwargs))
        return made[-n:]
    yield make
    for board in made:
        board.close()


def test_eight_boards_two_fail_midway_the_others_finish_and_the_retry_finishes_them(class_db, boards,
                                                                                      small_esp32_image):
    eight = boards(8)
    asleep, pulled = eight[2], eight[5]
    asleep.app_mode = True                                     # nobody held BOOT
    pulled.vanish(FLASH_DEFL_DATA, after=2)                    # the cable comes out while writing
    steps: dict[str, list[str]] = {}
    command = ["makerkit", "class", "provision", "--db", class_db, "--class", "7a", "--board", "esp32",
               "--firmware", str(small_esp32_image), "--wifi-ssid", "lab", "--broker", "mqtt://10.0.0.2:1883",
               "--assign"]
    result = provision(db=class_db, class_id="7a", board="esp32", ports=[b.url for b in eight],
                       firmware=str(small_esp32_image), wifi_ssid="lab", wifi_password="lab-pass-1",
                       broker="mqtt://10.0.0.2:1883", assign=True, command=command,
                       flash_options={"connect_attempts": 1},
                       progress=lambda port, step, done, total: steps.setdefault(port, []).append(step))
    states = [o.state for o in result.outcomes]
    assert states == [PROVISIONED, PROVISIONED, FAILED, PROVISIONED, PROVISIONED, FAILED, PROVISIONED, PROVISIONED]
    assert isinstance(result.outcomes[2].error, SyncError) and result.outcomes[2].step == "flash"
    assert isinstance(result.outcomes[5].error, DisconnectedError) and result.outcomes[5].step == "flash"
    done = [o for o in result.outcomes if o.ok]
    assert [o.kit for o in done] == ["kit-01", "kit-02", "kit-04", "kit-05", "kit-07", "kit-08"]   # ids by port
    assert all(o.flashed_bytes > 0 and o.files_written > 0 for o in done)
    for board in (b for b, o in zip(eight, result.outcomes) if o.ok):                # each one a working kit
        assert board.config["kit"] and board.config["username"] == "7a." + board.config["kit"]
    for port, seen in steps.items():                                                  # one progress line each
        assert seen[0] == "check" and seen[-1] in ("done", "failed")
    retry = result.retry_command()
    assert retry.endswith(f"--port {asleep.url} --port {pulled.url}") and "--assign" in retry

    asleep.app_mode = False
    pulled.plug_in()
    again = _makerkit(*shlex.split(retry)[1:], "--json")
    assert again.returncode == 0, again.stdout + again.stderr
    report = json.loads(again.stdout)
    assert [(k["kit"], k["state"]) for k in report["kits"]] == [("kit-03", "provisioned"), ("kit-06", "provisioned")]
    with open_store(class_db) as store:
        kits = store.kits("7a")
        assert [k["kit"] for k in kits] == [f"kit-0{i}" for i in range(1, 9)]
        assert {k["firmware"] for k in kits} == {wanted_firmware("esp32")}
        holds = {h.kit: h.student for h in store.history("7a") if h.until is None}
        assert sorted(holds) == [k["kit"] for k in kits] and len(set(holds.values())) == 8
        first_six = [s["id"] for s in store.students("7a")][:6]
        assert [holds[o.kit] for o in done] == first_six                              # roster order

    # a third run over all eight: every kit is already done; no board is flashed again
    connections = [b.rom_connections for b in eight]
    third = provision(db=class_db, class_id="7a", board="esp32", ports=[b.url for b in eight],
                      firmware=str(small_esp32_image), broker="mqtt://10.0.0.2:1883")
    assert {o.state for o in third.outcomes} == {ALREADY_DONE}
    assert [b.rom_connections for b in eight] == connections                      # ROM loaders untouched


def test_status_flags_an_outdated_kit_and_update_rewrites_only_what_changed(class_db, boards, monkeypatch):
    kit_a, kit_b = boards(2, flashed=True)                   # MicroPython already on them
    real_files = deploy_module.firmware_files

    def older_files():                                        # the firmware an older makerkit deployed
        files = real_files()
        files["/mkfw/server.py"] = files["/mkfw/server.py"] + b"\n# older\n"
        return files
    with monkeypatch.context() as m:
        m.setattr(deploy_module, "firmware_files", older_files)
        old = provision(db=class_db, class_id="7a", board="esp32", ports=[kit_a.url],
                        broker="mqtt://10.0.0.2:1883")
    assert old.ok
    provision(db=class_db, class_id="7a", board="esp32", ports=[kit_b.url], broker="mqtt://10.0.0.2:1883")
    status = _makerkit("class", "status", "--db", class_db, "--class", "7a", "--json")
    report = json.loads(status.stdout)
    assert {k["kit"]: k["state"] for k in report["kits"]} == {"kit-01": "outdated", "kit-02": "current"}
    text = _makerkit("class", "status", "--db", class_db, "--class", "7a")
    assert "1 current, 1 outdated" in text.stdout and "makerkit class update" in text.stdout

    password_before = kit_a.config["password"]
    result = update(db=class_db, class_id="7a", board="esp32", ports=[kit_a.url, kit_b.url])
    by_kit = {o.kit: o for o in result.outcomes}
    assert by_kit["kit-01"].state == "updated" and by_kit["kit-02"].state == "current"
    assert by_kit["kit-01"].files_written == 2                # server.py and the config's new build
    assert kit_a.config["kit"] == "kit-01" and kit_a.config["broker"] == "mqtt://10.0.0.2:1883"
    assert kit_a.config["password"] == password_before                             # its login is kept
    after = json.loads(_makerkit("class", "status", "--db", class_db, "--class", "7a", "--json").stdout)
    assert after["counts"]["current"] == 2


def test_a_lesson_with_update_firmware_updates_an_outdated_kit_and_runs(class_db, boards, monkeypatch):
    (board,) = boards(1, flashed=True)
    real_files = deploy_module.firmware_files

    def older_files():
        files = real_files()
        files["/mkfw/server.py"] = files["/mkfw/server.py"] + b"\n# older\n"
        return files
    with monkeypatch.context() as m:
        m.setattr(deploy_module, "firmware_files", older_files)
        assert provision(db=class_db, class_id="7a", board="esp32", ports=[board.url],
                         broker="mqtt://10.0.0.2:1883").ok
    before = board.config
    run = _makerkit("lesson", "check", "01-blink", "--port", board.url, "--board", "esp32", "--solution",
                    "--update-firmware")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Updated: the kit runs " + wanted_firmware("esp32") in run.stdout and "passed" in run.stdout
    assert (board.fs_dir / "mkfw" / "server.py").read_bytes() == real_files()["/mkfw/server.py"]
    after = board.config
    assert {k: after[k] for k in ("kit", "class", "broker", "username", "password", "inc")} == \
        {k: before[k] for k in ("kit", "class", "broker", "username", "password", "inc")}      # kept
    # current now: the next lesson goes straight on, without a word about firmware
    again = _makerkit("lesson", "check", "01-blink", "--port", board.url, "--board", "esp32", "--solution")
    assert again.returncode == 0 and "Updat" not in again.stdout
