"""``makerkit bridge`` on the command line, in both languages: a kit served on ``socket://`` is lost and
comes back; the CLI says so (lost, retrying, back) and goes on publishing, and SIGTERM ends it with
exit code 0. Real mosquitto, the real firmware in a virtual ESP32 without WiFi."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

import pytest

from makerkit.sim import serve

from support.brokers import free_port
from .conftest import wait_until


class Lines:
    def __init__(self, stream):
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream):
        for raw in iter(stream.readline, b""):
            self.lines.append(raw.decode("utf-8", "replace"))

    def has(self, text: str) -> bool:
        return any(text in line for line in self.lines)


@pytest.mark.parametrize("lang, lost, retry, back, counts", [
    ("en", "went away", "trying again in", "is back", "published "),
    ("zh", "断开了", "秒后再试", "已恢复连接", "已发布 "),
])
def test_the_cli_tells_about_a_lost_port_and_carries_on(tmp_path, broker, lang, lost, retry, back, counts):
    port = free_port()
    server = serve("esp32", listen=f"127.0.0.1:{port}", fs_dir=tmp_path / "kit")
    env = {**os.environ, "MAKERKIT_LANG": lang}
    proc = subprocess.Popen([sys.executable, "-m", "makerkit", "bridge", "--port", server.url, "--broker",
                             broker.url, "--class", "7b", "--kit", f"cli-{lang}", "--outbox",
                             str(tmp_path / "outbox.db")], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    err = Lines(proc.stderr)
    try:
        wait_until(lambda: err.has(counts), 30, what="the status line")
        server.close()
        wait_until(lambda: err.has(lost), 15, what="the lost-port message")
        wait_until(lambda: err.has(retry), 15, what="the retry message")
        server = serve("esp32", listen=f"127.0.0.1:{port}", fs_dir=tmp_path / "kit")
        wait_until(lambda: err.has(back), 30, what="the port-back message")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(20) == 0, "".join(err.lines)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        server.close()
