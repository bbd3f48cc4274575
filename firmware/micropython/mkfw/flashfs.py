"""The board's filesystem as ``mkfw.outbox`` uses it, over ``os`` and ``open`` (MicroPython-compatible).

A *flash* object has these methods (paths are ``/``-separated and absolute inside the board's
filesystem; every failure is an ``OSError``):

* ``listdir(path)`` -> names; ``mkdir(path)``; ``remove(path)``; ``rename(old, new)`` (replaces ``new``)
* ``read(path, offset=0, size=-1)`` -> bytes (``b""`` at the end of the file)
* ``append(path, data)``: add ``data`` at the end (creating the file)
* ``write(path, data)``: replace a small file's whole content
* ``size(path)`` -> bytes

:class:`OsFlash` implements it on a board (littlefs on an ESP32), under the ``micropython`` unix port
and under CPython. The virtual kit's ``makerkit.sim.fs.SimFs`` has the same methods.
"""

import os


class OsFlash:
    def __init__(self, root="/"):
        self.root = root if root.endswith("/") else root + "/"

    def _p(self, path):
        return self.root + path.lstrip("/")

    def listdir(self, path):
        return os.listdir(self._p(path))

    def mkdir(self, path):
        os.mkdir(self._p(path))

    def remove(self, path):
        os.remove(self._p(path))

    def rename(self, old, new):
        try:
            os.rename(self._p(old), self._p(new))
        except OSError:   # FAT refuses to rename over an existing file
            try:
                os.remove(self._p(new))
            except OSError:
                pass
            os.rename(self._p(old), self._p(new))

    def read(self, path, offset=0, size=-1):
        with open(self._p(path), "rb") as f:
            if offset:
                f.seek(offset)
            return f.read() if size < 0 else f.read(size)

    def append(self, path, data):
        with open(self._p(path), "ab") as f:
            f.write(data)

    def write(self, path, data):
        with open(self._p(path), "wb") as f:
            f.write(data)

    def size(self, path):
        return os.stat(self._p(path))[6]
