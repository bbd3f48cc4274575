"""The MicroPython REPL of the virtual ESP32, byte for byte, in process."""

import json

import pytest

from support.firmata_link import Link

from makerkit.protocol import firmata as fm
from makerkit.sim import VirtualKit

RAW = b"raw REPL; CTRL-B to exit\r\n>"


def read_all(kit, wait=0.0):
    if wait:
        kit.advance(wait)
    return kit.transport.read(1 << 20, timeout=0.05)


def to_repl(kit):
    kit.transport.write(fm.mk_repl())
    out = read_all(kit)
    events = fm.FirmataDecoder().feed(out)
    assert any(isinstance(e, fm.MkReplReady) and e.info == {"ok": True} for e in events), out
    assert out.endswith(b'Type "help()" for more information.\r\n>>> ')
    assert kit.state == "repl"


def test_uno_refuses_the_repl(uno):
    link = Link(uno.transport)
    assert link.request(fm.mk_repl(), fm.MkError).info["code"] == "unsupported"


def test_friendly_repl_echo_eval_and_blocks(esp32):
    to_repl(esp32)
    esp32.transport.write(b"1+1\r")
    assert read_all(esp32) == b"1+1\r\n2\r\n>>> "
    esp32.transport.write(b"for i in range(2):\r print(i)\r\r")
    assert read_all(esp32).endswith(b"0\r\n1\r\n>>> ")
    esp32.transport.write(b"x\r")
    assert b"NameError: name 'x' isn't defined\r\n>>> " in read_all(esp32)
    esp32.transport.write(b"\x03")
    assert read_all(esp32) == b"\r\n>>> "


def test_raw_repl_exec_framing_and_errors(esp32):
    to_repl(esp32)
    esp32.transport.write(b"\r\x01")
    assert read_all(esp32).endswith(b"\r\n" + RAW)
    esp32.transport.write(b"print('hi')\nprint(2)\x04")
    assert read_all(esp32) == b"OKhi\r\n2\r\n\x04\x04>"
    esp32.transport.write(b"import os\nos.remove('/nothing')\x04")
    out = read_all(esp32)
    assert out.startswith(b"OK\x04Traceback (most recent call last):\r\n")
    assert b"OSError: [Errno 2] ENOENT\r\n\x04>" in out
    esp32.transport.write(b"import socket\x04")
    assert b"ImportError: no module named 'socket'" in read_all(esp32)
    esp32.transport.write(b"\x02")
    assert read_all(esp32).endswith(b">>> ")


def test_raw_paste_flow_control(esp32):
    to_repl(esp32)
    esp32.transport.write(b"\x01")
    read_all(esp32)
    esp32.transport.write(b"\x05A\x01")
    assert read_all(esp32) == b"R\x01\x80\x00\x01"
    code = ("data = '" + "x" * 300 + "'\nprint(len(data))\n").encode()
    assert len(code) > 256
    esp32.transport.write(code[:128])
    assert read_all(esp32) == b"\x01"     # one window used: another granted
    esp32.transport.write(code[128:256])
    assert read_all(esp32) == b"\x01"
    esp32.transport.write(code[256:] + b"\x04")
    assert read_all(esp32) == b"\x04300\r\n\x04\x04>"


def test_files_hashes_and_namespace_persist(esp32):
    to_repl(esp32)
    esp32.transport.write(b"\x01")
    read_all(esp32)
    esp32.transport.write(b"f=open('/a.txt','wb')\nw=f.write\x04")
    assert read_all(esp32) == b"OK\x04\x04>"
    esp32.transport.write(b"w(b'hello')\nf.close()\x04")
    read_all(esp32)
    assert esp32.fs.read("/a.txt") == b"hello"
    esp32.transport.write(b"import hashlib, binascii\nprint(binascii.hexlify(hashlib.sha256(open('a.txt','rb').read()).digest()))\x04")
    assert b"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824" in read_all(esp32)
    esp32.transport.write(b"import os\nos.mkdir('/lib')\nos.rename('/a.txt','/lib/b.txt')\nprint(list(os.ilistdir('/lib')), os.stat('/lib/b.txt')[6])\x04")
    assert read_all(esp32) == b"OK[('b.txt', 32768, 0, 5)] 5\r\n\x04\x04>"


def test_soft_reset_in_raw_mode_stays_raw(esp32):
    to_repl(esp32)
    esp32.transport.write(b"\x01")
    read_all(esp32)
    esp32.transport.write(b"x = 1\x04")
    read_all(esp32)
    esp32.transport.write(b"\x04")
    assert read_all(esp32) == b"OK\r\nMPY: soft reboot\r\n" + RAW
    esp32.transport.write(b"print(x)\x04")
    assert b"NameError" in read_all(esp32)   # a soft reset clears the namespace
    assert esp32.state == "repl"


def test_soft_reset_restarts_firmware_with_new_config(esp32):
    link = Link(esp32.transport)
    assert link.request(fm.mk_identity_query(), fm.MkIdentity).info["boot"] == 1
    to_repl(esp32)
    esp32.fs.write("/makerkit.json", json.dumps({"kit": "kit-42", "class": "8c"}).encode())
    esp32.transport.write(b"\x04")
    assert read_all(esp32) == b"\r\nMPY: soft reboot\r\n"
    assert esp32.state == "boot"
    link.send(fm.mk_identity_query())   # arrives in the boot window: answered once Firmata starts
    esp32.advance(0.499)
    assert esp32.state == "boot"
    esp32.advance(0.002)
    info = link.expect(fm.MkIdentity).info
    assert (info["kit"], info["class"], info["boot"]) == ("kit-42", "8c", 2)


def test_boot_window_ctrl_c_twice_leaves_at_the_repl(esp32):
    esp32.transport.pulse_reset()
    assert esp32.state == "boot"
    esp32.advance(0.1)
    esp32.transport.write(b"\x03\x03")
    out = read_all(esp32)
    assert esp32.state == "repl" and out.endswith(b">>> ")


def test_machine_reset_from_the_repl(esp32):
    to_repl(esp32)
    esp32.transport.write(b"import machine\rmachine.reset()\r")
    read_all(esp32)
    assert esp32.state == "boot"
    esp32.advance(0.6)
    assert Link(esp32.transport).request(fm.report_version(), fm.ProtocolVersion) == fm.ProtocolVersion(2, 6)


def test_runaway_code_is_interrupted():
    kit = VirtualKit("esp32")
    try:
        to_repl(kit)
        kit.device.repl.executor.budget_s = 0.3
        kit.transport.write(b"\x01while True:\n pass\n\x04")
        out = read_all(kit)
        assert b"KeyboardInterrupt" in out and out.endswith(b"\x04>")
    finally:
        kit.close()


def test_fs_dir_keeps_files_on_disk(tmp_path):
    kit = VirtualKit("esp32", fs_dir=tmp_path)
    try:
        to_repl(kit)
        kit.transport.write(b"\x01open('/n.txt','w').write('12')\x04")
        read_all(kit)
        assert (tmp_path / "n.txt").read_text() == "12"
        assert (tmp_path / "mkfw_state.json").exists()
    finally:
        kit.close()


def test_text_mode_reads_whole_characters(esp32):
    esp32.fs.write("/t.txt", "温度 ok\n".encode())
    to_repl(esp32)
    esp32.transport.write(b"\x01with open('/t.txt') as f:\n while 1:\n  b=f.read(1)\n  if not b:break\n  print(b,end='|')\x04")
    assert read_all(esp32).endswith("OK温|度| |o|k|\r\n|\x04\x04>".encode())
