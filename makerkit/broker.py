"""An MQTT broker for the one-laptop classroom: amqtt (pure Python, installed with makerkit) in a
thread of this process, or mosquitto as a child process where it is installed.

Access: with ``logins`` (rows of the store's ``logins`` table) both engines enforce
:mod:`makerkit.access.rules` (amqtt through the plugins of :mod:`makerkit.access.amqtt_rules`, mosquitto
through the files of :mod:`makerkit.access.mosquitto`), with the same message-size limit. Anonymous
clients only when ``allow_anonymous`` (the default only without logins), and only on loopback.
``tls`` (:class:`~makerkit.access.mosquitto.TlsFiles`) serves ``mqtts://`` on the listener.

amqtt speaks MQTT 3.1.1 only (no MQTT 5 session expiry, no shared subscriptions) and carries about
2-3k messages/s on a laptop: plenty for a room of 40 kits, so the classroom warns when a load nears
it. For real deployments run mosquitto (``conf/mosquitto-classroom.conf``) or a broker cluster.
"""

from __future__ import annotations

import asyncio
import getpass
import ipaddress
import logging
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time

from .access.mosquitto import MESSAGE_SIZE_LIMIT, TlsFiles, write_mosquitto
from .errors import BrokerError, UsageError

AMQTT_RATE_LIMIT = 2000.0          # messages/s measured for amqtt on a laptop (see docs/TELEMETRY.md)


def _port_free(host: str, port: int) -> bool:
    """True when nothing listens on ``host:port``. Connections that just closed (TIME_WAIT, for a minute after
    a broker stopped) do not count: a broker binds with SO_REUSEADDR too, so it can be started again at once.
    Not on Windows, where SO_REUSEADDR would let two programs share one port."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as s:
        if os.name != "nt":
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def _wait_listening(host: str, port: int, timeout: float, alive=lambda: True) -> bool:
    deadline = time.monotonic() + timeout
    target = "127.0.0.1" if host in ("0.0.0.0", "") else host
    while time.monotonic() < deadline and alive():
        try:
            with socket.create_connection((target, port), timeout=0.2):
                return True
        except OSError:
            time.sleep(0.05)
    return False


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses (127.0.0.0/8, ::1); a name such as 127.foo.example is not."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def mosquitto_path() -> str | None:
    return shutil.which("mosquitto") or next(
        (p for p in ("/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto") if os.path.exists(p)), None)


class EmbeddedBroker:
    """``EmbeddedBroker(engine="auto"|"amqtt"|"mosquitto", host, port).start()``; ``.url``; ``.stop()``.

    ``auto`` uses amqtt (always there); ``mosquitto`` needs the program on PATH.
    ``protocol`` is ``"5"`` (mosquitto) or ``"3.1.1"`` (amqtt); ``rate_limit`` is the load the
    engine is known to carry (None: not a concern at classroom scale).
    """

    def __init__(self, *, engine: str = "auto", host: str = "127.0.0.1", port: int = 1883,
                 data_dir: str | None = None, logins: list[dict] | None = None, allow_anonymous: bool | None = None,
                 tls: TlsFiles | None = None):
        if engine not in ("auto", "amqtt", "mosquitto"):
            raise UsageError(en=f"Unknown broker {engine!r}: use amqtt or mosquitto.",
                             zh=f"未知的 MQTT 服务器类型 {engine!r}：请用 amqtt 或 mosquitto。")
        if engine == "mosquitto" and not mosquitto_path():
            raise BrokerError(en="mosquitto is not installed on this computer.",
                              zh="这台电脑上没有安装 mosquitto。",
                              hint_en="Install it (Debian/Ubuntu: sudo apt install mosquitto) or use the built-in amqtt engine (classroom up --broker-engine amqtt, broker run --engine amqtt).",
                              hint_zh="请安装它（Debian/Ubuntu：sudo apt install mosquitto），或者使用内置的 amqtt（classroom up --broker-engine amqtt，broker run --engine amqtt）。")
        self.engine = "amqtt" if engine == "auto" else engine
        self.logins = list(logins or [])
        self.allow_anonymous = logins is None if allow_anonymous is None else bool(allow_anonymous)
        if self.allow_anonymous and not is_loopback(host):
            raise UsageError(en=f"A broker on {host} must not let anyone in without a login.",
                             zh=f"监听在 {host} 上的 MQTT 服务器不能允许不登录就连接。",
                             hint_en="Create logins (makerkit access add ...) or listen on 127.0.0.1 only.",
                             hint_zh="请先创建账号（makerkit access add ...），或者只监听 127.0.0.1。")
        self.tls = tls
        self.host = host
        self.port = port
        self.data_dir = data_dir
        self._proc: subprocess.Popen | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._broker = None
        self._tmp: tempfile.TemporaryDirectory | None = None

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        if self.tls:
            return f"mqtts://{host}:{self.port}?ca={self.tls.cafile}"
        return f"mqtt://{host}:{self.port}"

    @property
    def protocol(self) -> str:
        return "3.1.1" if self.engine == "amqtt" else "5"

    @property
    def rate_limit(self) -> float | None:
        return AMQTT_RATE_LIMIT if self.engine == "amqtt" else None

    def start(self, timeout: float = 10.0) -> "EmbeddedBroker":
        if not _port_free(self.host, self.port):
            raise BrokerError(en=f"Port {self.port} on {self.host} is already in use (another broker?).",
                              zh=f"{self.host} 的 {self.port} 端口已被占用（是不是已经有一个 MQTT 服务器在运行？）。",
                              hint_en="Stop the other broker, or pick another port with --port.",
                              hint_zh="请先停止另一个服务器，或用 --port 换一个端口。")
        if self.engine == "mosquitto":
            self._start_mosquitto(timeout)
        else:
            self._start_amqtt(timeout)
        return self

    # -- mosquitto ------------------------------------------------------------------------------
    def _start_mosquitto(self, timeout: float) -> None:
        """mosquitto on the files :func:`write_mosquitto` writes into ``data_dir``; its sessions, queued and
        retained messages are kept in ``data_dir/data/`` across restarts (a temporary folder, deleted at
        :meth:`stop`, only when no ``data_dir`` was given)."""
        if self.data_dir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="makerkit-broker-")
            self.data_dir = self._tmp.name
        os.makedirs(self.data_dir, mode=0o700, exist_ok=True)
        conf = write_mosquitto(self.logins, listen=f"{self.host}:{self.port}", out_dir=self.data_dir,
                               tls=self.tls, run_as=getpass.getuser(), allow_anonymous=self.allow_anonymous).conf
        log = open(os.path.join(self.data_dir, "mosquitto.log"), "ab")
        self._proc = subprocess.Popen([mosquitto_path(), "-c", conf], stdout=log, stderr=log)
        log.close()
        if not _wait_listening(self.host, self.port, timeout, lambda: self._proc.poll() is None):
            self.stop()
            raise BrokerError(en=f"mosquitto did not start on port {self.port} (see {self.data_dir}/mosquitto.log).",
                              zh=f"mosquitto 没能在 {self.port} 端口启动（请看 {self.data_dir}/mosquitto.log）。")

    # -- amqtt ----------------------------------------------------------------------------------
    def _start_amqtt(self, timeout: float) -> None:
        from .access.amqtt_rules import amqtt_plugins, limited_broker_class    # imports amqtt: only when used
        for name in ("amqtt", "transitions"):   # the library never prints: no last-resort stderr logging
            logger = logging.getLogger(name)
            if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
                logger.addHandler(logging.NullHandler())
        listener = {"type": "tcp", "bind": f"{self.host}:{self.port}", "max_connections": 500}
        if self.tls:
            listener.update(ssl=True, certfile=self.tls.certfile, keyfile=self.tls.keyfile)
        config = {"listeners": {"default": listener},
                  "plugins": amqtt_plugins(self.logins, allow_anonymous=self.allow_anonymous)}
        broker_class = limited_broker_class(MESSAGE_SIZE_LIMIT)
        started = threading.Event()
        failure: list[BaseException] = []

        def run():
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            try:
                async def boot():
                    self._broker = broker_class(config, loop=loop)
                    await self._broker.start()
                loop.run_until_complete(boot())
            except BaseException as exc:  # reported to start()
                failure.append(exc)
                started.set()
                loop.close()
                return
            started.set()
            try:
                loop.run_forever()
            finally:
                loop.close()

        self._thread = threading.Thread(target=run, name="makerkit-amqtt-broker", daemon=True)
        self._thread.start()
        started.wait(timeout)
        if failure or not _wait_listening(self.host, self.port, timeout):
            self.stop()
            reason = failure[0] if failure else "no answer"
            raise BrokerError(en=f"The built-in MQTT broker did not start on port {self.port}: {reason}.",
                              zh=f"内置 MQTT 服务器没能在 {self.port} 端口启动：{reason}。")

    def stop(self) -> None:
        if self._proc is not None:
            if self._proc.poll() is None:
                self._proc.terminate()
                try:
                    self._proc.wait(10)
                except subprocess.TimeoutExpired:
                    self._proc.kill()
                    self._proc.wait(5)
            self._proc = None
        if self._thread is not None and self._loop is not None:
            loop = self._loop
            if self._broker is not None and loop.is_running():
                try:
                    asyncio.run_coroutine_threadsafe(self._broker.shutdown(), loop).result(10)
                except Exception:  # shutting down anyway
                    pass
            if loop.is_running():
                loop.call_soon_threadsafe(loop.stop)
            self._thread.join(10)
            self._thread = None
            self._loop = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
