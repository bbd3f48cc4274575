"""Test helpers: a real mosquitto on a free loopback port, started, killed and restarted by PID; free
ports; a retained status read with a plain paho subscriber."""

from __future__ import annotations

import getpass
import os
import shutil
import signal
import socket
import subprocess
import threading
import time


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 10.0, up: bool = True) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                if up:
                    return
        except OSError:
            if not up:
                return
        time.sleep(0.02)
    raise TimeoutError(f"port {port} not {'up' if up else 'down'} after {timeout}s")


class Mosquitto:
    """``Mosquitto(tmp_path).start()``; ``.url``; ``.kill()`` (SIGKILL) / ``.stop()`` (SIGTERM); ``.start()`` again."""

    def __init__(self, workdir, *, port: int | None = None, persistence: bool = True, autosave: int = 1,
                 extra: str = ""):
        self.exe = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        self.dir = str(workdir)
        os.makedirs(self.dir, exist_ok=True)
        self.port = port or free_port()
        self.conf = os.path.join(self.dir, "mosquitto.conf")
        with open(self.conf, "w") as fh:
            fh.write(f"listener {self.port} 127.0.0.1\nallow_anonymous true\n"
                     "max_queued_messages 0\nmax_queued_bytes 0\nmax_inflight_messages 0\n"
                     f"persistence {'true' if persistence else 'false'}\npersistence_location {self.dir}/\n"
                     f"autosave_interval {autosave}\n"
                     # started as root, mosquitto drops to user "mosquitto", who cannot write our tmp dir
                     f"user {getpass.getuser()}\n{extra}\n")
        self.proc: subprocess.Popen | None = None
        self.log = open(os.path.join(self.dir, "mosquitto.log"), "ab")

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def start(self) -> "Mosquitto":
        self.proc = subprocess.Popen([self.exe, "-c", self.conf], stdout=self.log, stderr=self.log)
        wait_port(self.port)
        return self

    def _signal(self, sig) -> None:
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, sig)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        self.proc = None

    def kill(self) -> None:
        self._signal(signal.SIGKILL)

    def stop(self) -> None:
        self._signal(signal.SIGTERM)

    def restart(self) -> None:
        self.stop()
        self.start()

    def close(self) -> None:
        self.kill()
        self.log.close()


def retained_status(url, topic="makerkit/v1/_collector/+/status", timeout=2.0):
    """A retained status payload (text), read with a plain paho subscriber; "" if none within ``timeout``."""
    import paho.mqtt.client as paho
    from makerkit.mqtt.url import parse_broker_url
    addr = parse_broker_url(url)
    got = []
    done = threading.Event()

    def on_message(client, userdata, msg):
        got.append(msg.payload.decode())
        done.set()
    client = paho.Client(callback_api_version=paho.CallbackAPIVersion.VERSION2)
    client.on_message = on_message
    client.on_connect = lambda c, u, f, rc, p: c.subscribe(topic, qos=1)
    try:
        client.connect(addr.host, addr.port)
    except OSError:
        return ""
    client.loop_start()
    try:
        done.wait(timeout)
    finally:
        client.disconnect()
        client.loop_stop()
    return got[0] if got else ""
