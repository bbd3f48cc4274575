"""``makerkit dashboard`` on the command line: it serves until stopped, and a wrong broker, a missing
portfolio or a bad address is said clearly, in English and in Chinese."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request

import pytest

from makerkit.cli import main
from support.brokers import free_port, wait_port


def _run(capsys, *args):
    capsys.readouterr()
    try:
        code = main([str(a) for a in args])
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_missing_portfolio_is_named(capsys, broker, tmp_path, lang):
    code, _, err = _run(capsys, "--lang", lang, "dashboard", "--broker", broker.url, "--db",
                        f"sqlite:///{tmp_path}/nothing.db", "--listen", "127.0.0.1:0")
    assert code != 0
    assert ("There is no portfolio at" if lang == "en" else "找不到作品集文件") in err
    assert ("Hint:" if lang == "en" else "提示：") in err
    assert not os.path.exists(tmp_path / "nothing.db")          # not created by looking


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_wrong_broker_is_named(capsys, portfolio, lang):
    port = free_port()                                           # nothing listens there
    code, _, err = _run(capsys, "--lang", lang, "dashboard", "--broker", f"mqtt://127.0.0.1:{port}",
                        "--db", portfolio["url"], "--listen", "127.0.0.1:0")
    assert code != 0 and f"127.0.0.1:{port}" in err
    assert ("cannot subscribe to the class broker" if lang == "en" else "看板无法订阅班级 MQTT 服务器") in err


def test_a_bad_or_busy_listen_address(capsys, broker, portfolio):
    code, _, err = _run(capsys, "--lang", "en", "dashboard", "--broker", broker.url, "--db", portfolio["url"],
                        "--listen", "8080")
    assert code == 2 and "is not HOST:PORT" in err
    code, _, err = _run(capsys, "--lang", "zh", "dashboard", "--broker", broker.url, "--db", portfolio["url"],
                        "--listen", f"127.0.0.1:{broker.port}")        # mosquitto holds that port
    assert code == 2 and "看板无法在" in err and "换一个" in err


def test_the_command_serves_until_sigterm(broker, portfolio, tmp_path):
    port = free_port()
    env = dict(os.environ, MAKERKIT_LANG="en")
    proc = subprocess.Popen([sys.executable, "-m", "makerkit", "dashboard", "--broker", broker.url, "--db",
                             portfolio["url"], "--listen", f"127.0.0.1:{port}", "--class", "7a"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    try:
        wait_port(port, timeout=20)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/?lang=en", timeout=10) as resp:
            assert resp.status == 200 and "Class at a glance" in resp.read().decode()
        started = time.monotonic()
        os.kill(proc.pid, signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        # a clean stop takes about 0.3 s; the bound only catches one that hangs on (its threads are
        # joined with 5 s and 10 s timeouts)
        assert time.monotonic() - started < 10
        assert f"Dashboard: http://127.0.0.1:{port}" in out and "needs no login" in out
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
