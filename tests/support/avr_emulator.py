"""The emulated Uno for makerkit's AVR tests: build helpers and a driver for ``tests/avr/harness/avrsim``.

``avrsim`` (tests/avr/harness/avrsim.c) runs real AVR machine code on Debian's simavr: an ATmega328P at
16 MHz with UART0 on a pty, throttled to the wall clock. :class:`EmulatedUno` starts one and talks
to its control channel (stdin/stdout line commands) to read pins and set inputs. Every wait has a
timeout; :meth:`EmulatedUno.close` ends only the process it started.
"""

from __future__ import annotations

import hashlib
import os
import select
import shutil
import subprocess
import tarfile
import time
from pathlib import Path

from makerkit.protocol.intel_hex import parse_intel_hex

from .locks import shared_step

REPO = Path(__file__).resolve().parents[2]
HARNESS = REPO / "tests" / "avr" / "harness"   # the C sources stay beside the AVR tests
HARNESS_BUILD = HARNESS / "build"
FIRMWARE_DIR = REPO / "firmware" / "arduino"
FIXTURES = REPO / ".cache" / "fixtures"
STANDARD_FIRMATA_SHA256 = "6d57ea7cf30e26c9c2f3a01ee37907d2c951f8bc9c27f84dddad12fa9c8b8f36"
STANDARD_FIRMATA_MEMBER = "package/junk/hex/uno/StandardFirmata.cpp.hex"
PIN_NUMBERS = {f"D{i}": i for i in range(14)} | {f"A{i}": 14 + i for i in range(6)}
FLASH = 32768                  # the ATmega328P's flash, in bytes
BOOT = 0x7E00                  # where Optiboot starts (the top 512 bytes)


def missing_tools() -> list[str]:
    """What the emulator build needs and this machine lacks."""
    missing = [tool for tool in ("gcc", "make", "avr-gcc", "avr-objcopy", "avr-size") if not shutil.which(tool)]
    if not Path("/usr/include/simavr/sim_avr.h").exists():
        missing.append("libsimavr-dev")
    if not Path("/usr/share/arduino/hardware/arduino/avr/cores/arduino/Arduino.h").exists():
        missing.append("arduino-core-avr")
    return missing


def _make(directory: Path, *targets: str, timeout: float = 300) -> None:
    proc = subprocess.run(["make", "-C", str(directory), *targets], capture_output=True, text=True,
                          timeout=timeout)
    if proc.returncode:
        raise RuntimeError(f"make -C {directory} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")


def build_harness() -> tuple[Path, Path]:
    """Build (or reuse) ``avrsim`` and Optiboot; returns their paths."""
    with shared_step("avr-harness"):
        _make(HARNESS)
    return HARNESS_BUILD / "avrsim", HARNESS_BUILD / "optiboot.hex"


def build_firmware() -> Path:
    """Build (or reuse) makerkit's AVR firmware with the Makefile; returns the build folder."""
    with shared_step("avr-firmware"):
        _make(FIRMWARE_DIR)
    return FIRMWARE_DIR / "build"


def standard_firmata_hex() -> Path:
    """The stock StandardFirmata build for the Uno from ``avrgirl-arduino@5.0.1``, fetched with
    ``npm pack`` when missing and checked against its known sha256."""
    with shared_step("standard-firmata"):
        return _standard_firmata_hex()


def _standard_firmata_hex() -> Path:
    target = FIXTURES / "StandardFirmata.cpp.hex"
    if target.exists() and hashlib.sha256(target.read_bytes()).hexdigest() == STANDARD_FIRMATA_SHA256:
        return target
    FIXTURES.mkdir(parents=True, exist_ok=True)
    tarball = FIXTURES / "avrgirl-arduino-5.0.1.tgz"
    if not tarball.exists():
        if not shutil.which("npm"):
            raise FileNotFoundError("npm is needed to fetch avrgirl-arduino@5.0.1")
        subprocess.run(["npm", "pack", "avrgirl-arduino@5.0.1", "--silent"], cwd=FIXTURES, check=True,
                       capture_output=True, timeout=180)
    with tarfile.open(tarball) as tar:
        data = tar.extractfile(STANDARD_FIRMATA_MEMBER).read()
    digest = hashlib.sha256(data).hexdigest()
    if digest != STANDARD_FIRMATA_SHA256:
        raise ValueError(f"StandardFirmata.cpp.hex has sha256 {digest}, expected {STANDARD_FIRMATA_SHA256}")
    target.write_bytes(data)
    return target


def expected_flash(hex_path: Path, optiboot: Path) -> bytes:
    """What a 328P holds after uploading ``hex_path`` through Optiboot onto an erased chip."""
    app = parse_intel_hex(hex_path.read_bytes()).flat(0, BOOT)
    boot = parse_intel_hex(optiboot.read_bytes()).flat(BOOT, FLASH)
    return app + boot


def pin_number(pin: str | int) -> int:
    return pin if isinstance(pin, int) else PIN_NUMBERS[pin.upper()]


class EmulatorError(RuntimeError):
    pass


class EmulatedUno:
    """One running ``avrsim``: ``uno.port`` is the pty to open like a board's serial port."""

    def __init__(self, *, boot: Path | None = None, app: Path | None = None, reset_on_open: bool = True,
                 speed: float = 1.0, eeprom: Path | None = None, avrsim: Path | None = None):
        exe = avrsim or HARNESS_BUILD / "avrsim"
        cmd = [str(exe), "--speed", str(speed)]
        if boot:
            cmd += ["--boot", str(boot)]
        if app:
            cmd += ["--app", str(app)]
        if eeprom:
            cmd += ["--eeprom", str(eeprom)]
        if not reset_on_open:
            cmd.append("--no-reset-on-open")
        self._proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, bufsize=0)
        self._buf = b""
        line = self._line(timeout=10)
        if not line.startswith("ready "):
            self.close()
            raise EmulatorError(f"avrsim did not start: {line!r}")
        self.port = line.split(" ", 1)[1]

    # -- control channel ------------------------------------------------------------------------
    def _line(self, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise EmulatorError("avrsim did not answer in time")
            ready, _, _ = select.select([self._proc.stdout], [], [], left)
            if ready:
                chunk = os.read(self._proc.stdout.fileno(), 4096)
                if not chunk:
                    err = self._proc.stderr.read().decode(errors="replace") if self._proc.poll() is not None else ""
                    raise EmulatorError(f"avrsim exited: {err.strip()}")
                self._buf += chunk
        line, self._buf = self._buf.split(b"\n", 1)
        return line.decode()

    def command(self, text: str, timeout: float = 5.0) -> list[str]:
        self._proc.stdin.write(text.encode() + b"\n")
        reply = self._line(timeout).split()
        if not reply or reply[0] != "ok":
            raise EmulatorError(f"avrsim refused {text!r}: {' '.join(reply)}")
        return reply[1:]

    # -- the board ------------------------------------------------------------------------------
    def level(self, pin: str | int) -> int:
        return int(self.command(f"get {pin_number(pin)}")[0])

    def is_output(self, pin: str | int) -> bool:
        return self.command(f"get {pin_number(pin)}")[1] == "1"

    def set_input(self, pin: str | int, level: int | None) -> None:
        """Drive an input pin from outside (None releases it)."""
        self.command(f"set {pin_number(pin)} {'z' if level is None else int(bool(level))}")

    def set_adc(self, channel: int, counts: int) -> None:
        self.command(f"adc {channel} {counts}")

    def pwm_duty(self, pin: str | int) -> float:
        return float(self.command(f"pwm {pin_number(pin)}")[0])

    def pulse(self, pin: str | int) -> tuple[float, float, int]:
        """The last high pulse on the pin: (width µs, period µs, pulses seen)."""
        width, period, count = self.command(f"pulse {pin_number(pin)}")
        return float(width), float(period), int(count)

    def sonar(self, trigger: str | int, echo: str | int, cm: float) -> None:
        self.command(f"sonar {pin_number(trigger)} {pin_number(echo)} {cm}")

    def reset(self) -> None:
        self.command("reset")

    def time(self) -> float:
        return float(self.command("time")[0])

    def lag_ms(self) -> float:
        return float(self.command("time")[1])

    def opens(self) -> int:
        return int(self.command("opens")[0])

    def stuck(self, address: int, value: int) -> None:
        self.command(f"stuck {address} {value}")

    def flash(self, start: int = 0, length: int = FLASH, tmp: Path | None = None) -> bytes:
        path = Path(tmp or "/tmp") / f"avrsim-flash-{os.getpid()}-{id(self)}.bin"
        self.command(f"flash {path} {start} {length}")
        try:
            return path.read_bytes()
        finally:
            path.unlink(missing_ok=True)

    def eeprom(self, tmp: Path | None = None) -> bytes:
        path = Path(tmp or "/tmp") / f"avrsim-eeprom-{os.getpid()}-{id(self)}.bin"
        self.command(f"eeprom {path}")
        try:
            return path.read_bytes()
        finally:
            path.unlink(missing_ok=True)

    def wait_for(self, predicate, timeout: float = 5.0, interval: float = 0.01):
        """Poll the emulator's pins until ``predicate()`` is true; returns its last value."""
        deadline = time.monotonic() + timeout
        value = predicate()
        while not value and time.monotonic() < deadline:
            time.sleep(interval)
            value = predicate()
        return value

    def close(self) -> None:
        if self._proc.poll() is None:
            try:
                self._proc.stdin.write(b"quit\n")
                self._proc.wait(timeout=3)
            except (BrokenPipeError, subprocess.TimeoutExpired, OSError):
                self._proc.kill()
                self._proc.wait(timeout=3)
        for stream in (self._proc.stdin, self._proc.stdout, self._proc.stderr):
            if stream:
                stream.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
