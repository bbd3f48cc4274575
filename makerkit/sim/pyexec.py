"""Running REPL code on the virtual kit: CPython ``exec`` in a restricted, board-like namespace.

The namespace offers what mpremote's file transfer and a student poking at the REPL use: ``open`` and
``os`` (listdir/ilistdir/stat/remove/mkdir/rmdir/rename/getcwd/chdir/statvfs) on the simulated
filesystem, ``hashlib`` (sha256/sha1/md5), ``binascii``, ``time``, ``machine`` (``reset``,
``soft_reset``, ``unique_id``, ``freq``), ``sys``, ``gc``, ``micropython`` and a few pure stdlib
modules. Nothing reaches the host's files. Output and tracebacks come back MicroPython-shaped.
A program that runs longer than ``budget_s`` is stopped with ``KeyboardInterrupt``.
"""

from __future__ import annotations

import binascii as _binascii
import builtins as _builtins
import collections
import errno as _errno
import hashlib as _hashlib
import io
import sys as _sys
import time as _time
import types

from .fs import S_IFDIR, S_IFREG, SimFs, norm

SAFE_MODULES = ("math", "json", "struct", "errno", "random", "collections", "re", "array")
SAFE_BUILTINS = (
    "abs all any bin bool bytearray bytes callable chr classmethod dict dir divmod enumerate filter "
    "float format frozenset getattr globals hasattr hash hex id int isinstance issubclass iter len list "
    "locals map max memoryview min next object oct ord pow property range repr reversed round set "
    "setattr slice sorted staticmethod str sum super tuple type zip __build_class__ "
    "BaseException Exception ArithmeticError AssertionError AttributeError EOFError ImportError "
    "IndexError KeyError KeyboardInterrupt LookupError MemoryError NameError NotImplementedError "
    "OSError OverflowError RuntimeError StopIteration SyntaxError SystemExit TypeError ValueError "
    "ZeroDivisionError UnicodeError IndentationError").split()


class MachineReset(BaseException):
    """Raised by ``machine.reset()`` / ``machine.soft_reset()``: the board restarts at once."""

    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind


class _Interrupted(KeyboardInterrupt):
    pass


class SimFile:
    """A file on the simulated filesystem (write-through, like littlefs after each write)."""

    def __init__(self, fs: SimFs, path: str, mode: str):
        self.fs, self.path, self.mode = fs, norm(path), mode
        self.binary = "b" in mode
        self.closed = False
        if "r" in mode and "+" not in mode:
            self._data = bytearray(fs.read(self.path))
            self._pos = 0
        elif "w" in mode:
            fs.write(self.path, b"")
            self._data, self._pos = bytearray(), 0
        elif "a" in mode:
            self._data = bytearray(fs.read(self.path)) if fs.isfile(self.path) else bytearray()
            fs.write(self.path, bytes(self._data))
            self._pos = len(self._data)
        else:
            raise OSError(_errno.EINVAL, "EINVAL")

    def _check(self):
        if self.closed:
            raise ValueError("I/O operation on closed file")

    def read(self, size: int = -1):
        self._check()
        if not self.binary:   # text mode counts characters, so a chunk never splits one
            text = bytes(self._data[self._pos:]).decode("utf-8", "replace")
            chunk = text if size is None or size < 0 else text[:size]
            self._pos += len(chunk.encode("utf-8"))
            return chunk
        end = len(self._data) if size is None or size < 0 else min(len(self._data), self._pos + size)
        chunk = bytes(self._data[self._pos:end])
        self._pos = end
        return chunk

    def readinto(self, buf) -> int:
        self._check()
        chunk = bytes(self._data[self._pos:self._pos + len(buf)])
        buf[:len(chunk)] = chunk
        self._pos += len(chunk)
        return len(chunk)

    def readline(self):
        self._check()
        nl = self._data.find(b"\n", self._pos)
        end = len(self._data) if nl < 0 else nl + 1
        chunk = bytes(self._data[self._pos:end])
        self._pos = end
        return chunk if self.binary else chunk.decode("utf-8", "replace")

    def __iter__(self):
        while True:
            line = self.readline()
            if not line:
                return
            yield line

    def write(self, data) -> int:
        self._check()
        if "r" in self.mode and "+" not in self.mode:
            raise OSError(_errno.EBADF, "EBADF")
        raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
        self._data[self._pos:self._pos + len(raw)] = raw
        self._pos += len(raw)
        self.fs.write(self.path, bytes(self._data))
        return len(raw)

    def seek(self, offset: int, whence: int = 0) -> int:
        base = (0, self._pos, len(self._data))[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def flush(self):
        pass

    def close(self):
        self.closed = True

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _os_module(fs: SimFs, cwd: list[str], uname: tuple) -> types.ModuleType:
    os = types.ModuleType("os")

    def path(p=""):
        p = str(p)
        return norm(p if p.startswith("/") else cwd[0] + "/" + p)

    def ilistdir(p=""):
        base = path(p)
        for name in fs.listdir(base):
            full = norm(base + "/" + name)
            if fs.isdir(full):
                yield (name, S_IFDIR, 0, 0)
            else:
                yield (name, S_IFREG, 0, len(fs.read(full)))

    def chdir(p):
        p = path(p)
        if not fs.isdir(p):
            raise OSError(_errno.ENOENT, "ENOENT")
        cwd[0] = p

    os.ilistdir = ilistdir
    os.listdir = lambda p="": fs.listdir(path(p))
    os.stat = lambda p: fs.stat(path(p))
    os.remove = lambda p: fs.remove(path(p))
    os.unlink = os.remove
    os.mkdir = lambda p: fs.mkdir(path(p))
    os.rmdir = lambda p: fs.rmdir(path(p))
    os.rename = lambda a, b: fs.rename(path(a), path(b))
    os.getcwd = lambda: cwd[0]
    os.chdir = chdir
    os.statvfs = lambda p="/": (4096, 4096, 512, 512 - fs.usage() // 4096, 512 - fs.usage() // 4096, 0, 0, 0, 0, 255)
    os.sync = lambda: None
    os.uname = lambda: uname
    os.sep = "/"
    return os


def _module(_modname: str, **attrs) -> types.ModuleType:
    mod = types.ModuleType(_modname)
    for key, value in attrs.items():
        setattr(mod, key, value)
    return mod


UName = collections.namedtuple("uname_result", "sysname nodename release version machine")   # as MicroPython's
ESP32_UNAME = UName("esp32", "esp32", "1.23.0", "v1.23.0 on 2024-06-02", "ESP32 module with ESP32")


def board_uname(board) -> tuple:
    """``os.uname()`` as MicroPython answers it on ``board`` (a BoardProfile): machine "<NAME> module with
    <CHIP>" from the profile's ``machine_names`` (what deploy reads to tell the boards apart), e.g.
    "MPYTHON module with ESP32" on the mPython board; sysname "esp32", as MicroPython's port is named on
    every ESP32 chip (the S3 too)."""
    chip = board.chip.upper()
    name = board.machine_names[0] if board.machine_names else chip
    return ESP32_UNAME._replace(machine=f"{name} module with {chip}")


class Executor:
    """One REPL session's namespace (kept across exec calls until a reset, as on a board)."""

    def __init__(self, fs: SimFs, *, clock_ms, budget_s: float = 30.0, uname: tuple = ESP32_UNAME):
        self.fs = fs
        self.budget_s = budget_s
        self._clock_ms = clock_ms
        self._cwd = ["/"]
        self._stdout = io.StringIO()
        self.uname = UName(*uname)
        self.modules = self._make_modules()
        self.namespace: dict = {"__name__": "__main__", "__builtins__": self._make_builtins()}

    # --- the namespace ---------------------------------------------------------------------------------
    def _make_modules(self) -> dict:
        def reset():
            raise MachineReset("hard")

        def soft_reset():
            raise MachineReset("soft")

        def sleep(s):
            _time.sleep(min(max(0.0, float(s)), self.budget_s))

        stdout = _module("stdout", write=lambda s: self._stdout.write(s if isinstance(s, str) else s.decode()))
        hashlib = _module("hashlib", sha256=_hashlib.sha256, sha1=_hashlib.sha1, md5=_hashlib.md5)
        binascii = _module("binascii", hexlify=_binascii.hexlify, unhexlify=_binascii.unhexlify,
                           a2b_base64=_binascii.a2b_base64, b2a_base64=_binascii.b2a_base64,
                           crc32=_binascii.crc32)
        mods = {
            "os": _os_module(self.fs, self._cwd, self.uname),
            "hashlib": hashlib, "binascii": binascii,
            "time": _module("time", sleep=sleep, sleep_ms=lambda ms: sleep(ms / 1000),
                            sleep_us=lambda us: sleep(us / 1e6), ticks_ms=self._clock_ms,
                            ticks_us=lambda: self._clock_ms() * 1000,
                            ticks_diff=lambda a, b: a - b, ticks_add=lambda a, b: a + b,
                            time=_time.time, localtime=_time.localtime, gmtime=_time.gmtime),
            "machine": _module("machine", reset=reset, soft_reset=soft_reset, freq=lambda *a: 240000000,
                               unique_id=lambda: b"\x24\x0a\xc4\x00\x00\x01"),
            "sys": _module("sys", platform=self.uname.sysname, stdout=stdout, byteorder="little", maxsize=2**31 - 1,
                           implementation=_module("implementation", name="micropython", version=(1, 23, 0)),
                           version="3.4.0; MicroPython v1.23.0", path=["", "/lib"], modules={},
                           print_exception=lambda e, f=None: self._stdout.write(format_exception(e))),
            "gc": _module("gc", collect=lambda: None, mem_free=lambda: 110000, mem_alloc=lambda: 20000,
                          enable=lambda: None, disable=lambda: None),
            "micropython": _module("micropython", const=lambda x: x, kbd_intr=lambda c: None,
                                   mem_info=lambda *a: None, opt_level=lambda *a: 0),
        }
        for alias in ("os", "time", "binascii", "hashlib", "sys", "json", "struct", "errno", "random",
                      "collections", "re", "array"):
            if alias in mods:
                mods["u" + alias] = mods[alias]
        return mods

    def _import(self, name, globals=None, locals=None, fromlist=(), level=0):
        if name in self.modules:
            return self.modules[name]
        base = name[1:] if name.startswith("u") and name[1:] in SAFE_MODULES else name
        if base in SAFE_MODULES:
            return __import__(base)
        raise ImportError("no module named '%s'" % name)

    def _make_builtins(self) -> dict:
        out = {name: getattr(_builtins, name) for name in SAFE_BUILTINS if hasattr(_builtins, name)}
        out.update(open=lambda path, mode="r", *a, **k: SimFile(self.fs, self._path(path), mode),
                   print=self._print, __import__=self._import, input=lambda *a: "",
                   exec=lambda code, g=None, l=None: exec(code, g if g is not None else self.namespace, l),
                   eval=lambda code, g=None, l=None: eval(code, g if g is not None else self.namespace, l))
        return out

    def _path(self, path) -> str:
        path = str(path)
        return norm(path if path.startswith("/") else self._cwd[0] + "/" + path)

    def _print(self, *args, sep=" ", end="\n", file=None):
        text = sep.join(str(a) for a in args) + end
        (file.write if file is not None and hasattr(file, "write") else self._stdout.write)(text)

    # --- running code ---------------------------------------------------------------------------------------
    def run(self, source: str, *, interactive: bool = False) -> tuple[str, str, MachineReset | None]:
        """Run ``source``; returns (stdout, traceback text, reset request or None), with ``\\r\\n``
        line ends as a board prints them."""
        self._stdout = io.StringIO()
        err = ""
        reset = None
        deadline = _time.monotonic() + self.budget_s

        def tracer(frame, event, arg):
            if _time.monotonic() > deadline:
                raise _Interrupted()
            return tracer

        old = _sys.gettrace()
        _sys.settrace(tracer)
        try:
            code = None
            if interactive:
                try:
                    code = compile(source, "<stdin>", "eval")
                except SyntaxError:
                    code = None
            if code is not None:
                value = eval(code, self.namespace)
                if value is not None:
                    self._stdout.write(repr(value) + "\n")
            else:
                exec(compile(source, "<stdin>", "exec"), self.namespace)
        except MachineReset as exc:
            reset = exc
        except BaseException as exc:  # noqa: BLE001 - everything the student's code raises is shown
            err = format_exception(exc)
        finally:
            _sys.settrace(old)
        return _crlf(self._stdout.getvalue()), _crlf(err), reset


def _crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def format_exception(exc: BaseException) -> str:
    """A MicroPython-shaped traceback: only the student's own lines (``<stdin>``)."""
    lines = ["Traceback (most recent call last):"]
    tb = exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_filename == "<stdin>":
            where = "<module>" if code.co_name == "<module>" else code.co_name
            lines.append('  File "<stdin>", line %d, in %s' % (tb.tb_lineno, where))
        tb = tb.tb_next
    if isinstance(exc, SyntaxError) and exc.lineno:
        lines.append('  File "<stdin>", line %d' % exc.lineno)
    name = "KeyboardInterrupt" if isinstance(exc, KeyboardInterrupt) else type(exc).__name__
    if isinstance(exc, OSError):
        name = "OSError"   # MicroPython has no FileNotFoundError & co.
    if isinstance(exc, OSError) and exc.errno is not None:
        message = "[Errno %d] %s" % (exc.errno, _errno.errorcode.get(exc.errno, str(exc.errno)))
    elif isinstance(exc, NameError):
        message = str(exc).replace("is not defined", "isn't defined")
    elif isinstance(exc, SyntaxError):
        message = "invalid syntax"
    elif isinstance(exc, KeyError):
        message = repr(exc.args[0]) if exc.args else ""
    else:
        message = str(exc)
    lines.append(name + (": " + message if message else ""))
    return "\n".join(lines) + "\n"
