"""An emulated ESP32 devkit for class-set tests: its ROM loader (:class:`rom_loader.RomLoader`) and, once
the flash holds an app image, MicroPython running makerkit's firmware (a virtual ESP32 kit, the real
``mkfw`` code, served as ``makerkit sim serve`` does) behind one ``socket://`` port.

On a real devkit the USB bridge's DTR/RTS lines decide: esptool pulses them into the ROM loader, other
programs let the app boot. A socket has no such lines, so the board decides by the first byte it
receives: a SLIP frame (``0xC0``, esptool's SYNC) reaches the ROM loader, anything else (Ctrl-C,
Firmata) the app. A board whose flash is blank (no ``0xE9`` image header at 0x1000) has no app: it says
nothing. ``app_mode=True`` (nobody held BOOT) keeps the ROM loader away as before. The filesystem
lives in ``fs_dir``, so a kit keeps its files across connections and re-flashes of the app region.
"""

from __future__ import annotations

import socket
import threading

from .rom_loader import RomLoader

from makerkit.sim import serve

APP_OFFSET = 0x1000


class Esp32Board(RomLoader):
    def __init__(self, fs_dir, *, flashed: bool = False, **kwargs):
        super().__init__("esp32", **kwargs)
        self.fs_dir = fs_dir
        self.kit_server = serve("esp32", listen="127.0.0.1:0", fs_dir=fs_dir)
        if flashed:
            self.flash[APP_OFFSET] = 0xE9
        self.app_connections = 0
        self.rom_connections = 0

    @property
    def kit(self):
        return self.kit_server.kit

    @property
    def config(self) -> dict:
        """The kit's ``/makerkit.json`` as it is on its filesystem ({} before a deploy)."""
        import json
        path = self.fs_dir / "makerkit.json"
        return json.loads(path.read_text()) if path.is_file() else {}

    @property
    def has_app(self) -> bool:
        return self.flash[APP_OFFSET] == 0xE9

    def _session(self, conn: socket.socket) -> None:
        conn.settimeout(5.0)
        try:
            first = conn.recv(65536)
        except OSError:
            return
        finally:
            conn.settimeout(None)
        if not first:
            return
        if first[0] == 0xC0 and not self.app_mode:
            self._rom_session(conn, first)
        elif self.has_app:
            self._app_session(conn, first)
        else:
            while conn.recv(65536):            # a blank chip: nothing answers
                pass

    def _rom_session(self, conn: socket.socket, first: bytes) -> None:
        self.rom_connections += 1
        replay = _Replay(conn, first)
        RomLoader._session(self, replay)

    def _app_session(self, conn: socket.socket, first: bytes) -> None:
        self.app_connections += 1
        host, port = self.kit_server.url[len("socket://"):].rsplit(":", 1)
        up = socket.create_connection((host, int(port)), timeout=5)
        up.settimeout(None)
        up.sendall(first)

        def pump(src, dst):
            try:
                while True:
                    data = src.recv(65536)
                    if not data:
                        break
                    dst.sendall(data)
            except OSError:
                pass
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        back = threading.Thread(target=pump, args=(up, conn), daemon=True)
        back.start()
        pump(conn, up)
        back.join(5)
        up.close()

    def close(self) -> None:
        super().close()
        self.kit_server.close()


class _Replay:
    """The accepted socket with the bytes already read put back in front."""

    def __init__(self, conn: socket.socket, first: bytes):
        self._conn, self._first = conn, first

    def recv(self, n: int) -> bytes:
        if self._first:
            data, self._first = self._first, b""
            return data
        return self._conn.recv(n)

    def __getattr__(self, name):
        return getattr(self._conn, name)
