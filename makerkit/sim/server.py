"""Serving a virtual kit to other programs: a loopback TCP socket (``socket://``) and/or a pty.

    server = serve("esp32", listen="127.0.0.1:0")     # returns at once; the kit runs in real time
    print(server.url)                                  # socket://127.0.0.1:PORT for pyserial, mpremote...
    server.close()

Like a board on a USB cable: one program at a time holds the port (a second connection is closed at
once), and a program that disconnects and comes back finds the kit as it left it (pins, config,
filesystem). Loopback addresses only: a virtual kit is never offered to the network.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import select
import socket
import sys
import threading

from ..errors import UsageError
from .kit import VirtualKit

POLL_S = 0.2      # how long blocking reads wait before checking for close()


def parse_listen(listen: str) -> tuple[str, int]:
    """``"HOST:PORT"`` / ``"[::1]:PORT"`` -> (host, port); refuses addresses that are not loopback."""
    text = str(listen).strip()
    host, sep, port_text = text.rpartition(":")
    if not sep:
        host, port_text = "127.0.0.1", text
    host = host.strip("[]") or "127.0.0.1"
    if not port_text.isdigit() or not 0 <= int(port_text) <= 65535:
        raise UsageError(en=f"--listen needs HOST:PORT with a port from 0 to 65535, not {listen!r}.",
                         zh=f"--listen 需要 主机:端口 的格式，端口为 0 到 65535，而不是 {listen!r}。",
                         hint_en="For example: --listen 127.0.0.1:7000", hint_zh="例如：--listen 127.0.0.1:7000")
    try:
        infos = socket.getaddrinfo(host, int(port_text), type=socket.SOCK_STREAM)
        addresses = {info[4][0] for info in infos}
    except socket.gaierror:
        addresses = set()
    if not addresses or not all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in addresses):
        raise UsageError(
            en=f"The virtual kit only listens on this computer (loopback), not on {host!r}.",
            zh=f"虚拟套件只在本机（回环地址）上监听，不能用 {host!r}。",
            hint_en="Use --listen 127.0.0.1:PORT (or localhost / [::1]).",
            hint_zh="请使用 --listen 127.0.0.1:端口（或 localhost / [::1]）。", host=host)
    return host, int(port_text)


class SimServer:
    """A running server; ``url`` (``socket://...`` or None), ``pty_path`` (or None), ``kit``."""

    def __init__(self, kit: VirtualKit, *, listen: str | None, pty: bool):
        self.kit = kit
        self.url: str | None = None
        self.pty_path: str | None = None
        self.connections = 0
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._client: socket.socket | None = None
        self._listener: socket.socket | None = None
        self._master = self._slave = None
        self._threads: list[threading.Thread] = []
        try:
            if listen is not None:
                host, port = parse_listen(listen)
                family = socket.AF_INET6 if ":" in host else socket.AF_INET
                self._listener = socket.create_server((host, port), family=family)
                bound = self._listener.getsockname()
                shown = f"[{bound[0]}]" if family == socket.AF_INET6 else bound[0]
                self.url = f"socket://{shown}:{bound[1]}"
                self._thread(self._accept, "accept")
            if pty:
                self._open_pty()
            self._thread(self._pump_out, "out")
        except BaseException:
            self.close()
            raise

    def _thread(self, target, name: str) -> None:
        thread = threading.Thread(target=target, name=f"makerkit-sim-serve {name}", daemon=True)
        self._threads.append(thread)
        thread.start()

    # --- pty -------------------------------------------------------------------------------------------
    def _open_pty(self) -> None:
        if sys.platform == "win32":
            raise UsageError(en="--pty needs Linux or macOS; on Windows use --listen.",
                             zh="--pty 只能在 Linux 或 macOS 上使用；Windows 上请用 --listen。")
        import tty
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)   # no echo, no line editing: a raw serial line
        os.set_blocking(self._master, False)
        self.pty_path = os.ttyname(self._slave)
        self._thread(self._pump_pty_in, "pty")

    def _pump_pty_in(self) -> None:
        while not self._stop.is_set():
            try:
                ready, _, _ = select.select([self._master], [], [], POLL_S)
                if not ready:
                    continue
                data = os.read(self._master, 4096)
            except BlockingIOError:
                continue
            except (OSError, ValueError, TypeError):
                return
            if data:
                self.kit.transport.write(data)

    # --- socket -------------------------------------------------------------------------------------------
    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                ready, _, _ = select.select([self._listener], [], [], POLL_S)
                if not ready:
                    continue
                conn, _ = self._listener.accept()
            except (OSError, ValueError):
                return
            with self._lock:
                busy = self._client is not None
                if not busy:
                    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    self.kit.transport.discard_output()
                    self._client = conn
                    self.connections += 1
            if busy:   # like a serial port held by another program
                conn.close()
                continue
            self._thread(lambda c=conn: self._pump_in(c), "in")

    def _pump_in(self, conn: socket.socket) -> None:
        try:
            while not self._stop.is_set():
                ready, _, _ = select.select([conn], [], [], POLL_S)
                if not ready:
                    continue
                data = conn.recv(4096)
                if not data:
                    break
                self.kit.transport.write(data)
        except (OSError, ValueError):
            pass
        finally:
            with self._lock:
                if self._client is conn:
                    self._client = None
            try:
                conn.close()
            except OSError:
                pass

    def _pump_out(self) -> None:
        transport = self.kit.transport
        while not self._stop.is_set():
            data = transport.read(65536, timeout=POLL_S)
            if not data:
                continue
            with self._lock:
                client = self._client
            if client is not None:
                try:
                    client.sendall(data)
                except OSError:
                    pass   # the reader thread notices the closed connection
            if self._master is not None:
                try:
                    os.write(self._master, data)
                except OSError as exc:   # nobody reads the pty and its buffer is full: bytes are lost
                    if exc.errno not in (errno.EAGAIN, errno.EWOULDBLOCK, errno.EIO):
                        return

    # --- life cycle -----------------------------------------------------------------------------------------
    @property
    def client_connected(self) -> bool:
        return self._client is not None

    def close(self) -> None:
        """Stop serving and power the kit off (idempotent)."""
        self._stop.set()
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join(timeout=2.0)
        for sock in (self._client, self._listener):
            if sock is not None:
                try:
                    sock.close()
                except OSError:
                    pass
        self._client = self._listener = None
        for fd in (self._master, self._slave):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self._master = self._slave = None
        self.kit.close()

    def __enter__(self) -> "SimServer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def serve(board: str = "uno", *, listen: str | None = "127.0.0.1:0", pty: bool = False, seed: int = 0,
          fs_dir=None, kit: VirtualKit | None = None) -> SimServer:
    """Start serving a real-time virtual ``board`` on ``listen`` (loopback ``HOST:PORT``; port 0 picks
    a free one) and/or a pseudo-terminal; returns at once with the :class:`SimServer`."""
    if listen is None and not pty:
        raise UsageError(en="Say where to serve the virtual kit: --listen HOST:PORT and/or --pty.",
                         zh="请指定虚拟套件的服务位置：--listen 主机:端口 和/或 --pty。")
    if listen is not None:
        parse_listen(listen)   # refuse a bad address before the kit starts
    if kit is None:
        kit = VirtualKit(board, clock="real", seed=seed, fs_dir=fs_dir)
    return SimServer(kit, listen=listen, pty=pty)
