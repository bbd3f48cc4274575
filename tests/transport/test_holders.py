"""Who holds a port: the real /proc of this machine, and a hand-built /proc tree."""

from __future__ import annotations

import os
import select
import subprocess
import sys

import pytest

from makerkit.transport import holders


@pytest.mark.skipif(not holders.can_tell(), reason="needs Linux /proc")
def test_finds_a_subprocess_holding_a_device(tmp_path):
    master, slave = os.openpty()
    name = os.ttyname(slave)
    os.close(slave)
    code = "import sys; f = open(sys.argv[1], 'rb', buffering=0); print('open', flush=True); sys.stdin.read()"
    child = subprocess.Popen([sys.executable, "-c", code, name], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    try:
        ready, _, _ = select.select([child.stdout], [], [], 10)
        assert ready and child.stdout.readline().strip() == "open"
        found = holders.find_holders(name)
        assert [h.pid for h in found] == [child.pid]
        assert found[0].name.startswith("python") and name in found[0].cmdline
        assert found[0].describe() == f"{found[0].name} (PID {child.pid})" and not found[0].is_self
    finally:
        child.stdin.close()
        child.wait(timeout=10)
        os.close(master)
    assert holders.find_holders(name) == []


@pytest.mark.skipif(not holders.can_tell(), reason="needs Linux /proc")
def test_sees_this_process_as_itself(tmp_path):
    path = tmp_path / "dev"
    path.write_bytes(b"")
    with open(path, "rb"):
        found = holders.find_holders(str(path))
    assert [h.pid for h in found] == [os.getpid()] and found[0].is_self


def test_scan_of_a_built_proc_tree(tmp_path):
    proc = tmp_path / "proc"
    device = tmp_path / "ttyUSB0"
    device.write_bytes(b"")
    other = tmp_path / "ttyUSB1"
    other.write_bytes(b"")
    for pid, name, target in ((101, "arduino", device), (202, "thonny", other), (303, "bash", tmp_path)):
        (proc / str(pid) / "fd").mkdir(parents=True)
        (proc / str(pid) / "comm").write_text(name + "\n")
        (proc / str(pid) / "cmdline").write_bytes(f"/usr/bin/{name}\0--serial\0".encode())
        os.symlink(target, proc / str(pid) / "fd" / "3")
    (proc / "self").mkdir()  # non-numeric entries are skipped
    found = holders.scan([str(device), str(other), "socket://127.0.0.1:1"], proc=str(proc))
    assert [(h.pid, h.name, h.cmdline) for h in found[str(device)]] == [(101, "arduino", "/usr/bin/arduino --serial")]
    assert [h.name for h in found[str(other)]] == ["thonny"]
    assert "socket://127.0.0.1:1" not in found
    assert holders.find_holders(str(tmp_path / "nothing"), proc=str(proc)) == []


def test_a_pty_server_is_the_other_end_not_a_competitor(tmp_path):
    """A process holding /dev/pts/N and the master with tty-index N (fdinfo) serves the pty."""
    proc = tmp_path / "proc"
    for pid, name, links in ((11, "socat", {"3": "/dev/ptmx", "4": "/dev/pts/7"}),
                             (12, "minicom", {"3": "/dev/pts/7"}),
                             (13, "screen", {"3": "/dev/ptmx", "4": "/dev/pts/7"})):
        (proc / str(pid) / "fd").mkdir(parents=True)
        (proc / str(pid) / "fdinfo").mkdir()
        (proc / str(pid) / "comm").write_text(name)
        (proc / str(pid) / "cmdline").write_bytes(name.encode())
        for fd, target in links.items():
            os.symlink(target, proc / str(pid) / "fd" / fd)
            index = 7 if pid == 11 else 2  # screen holds the master of another pty
            (proc / str(pid) / "fdinfo" / fd).write_text(f"pos:\t0\nflags:\t02\ntty-index:\t{index}\n")
    found = holders.scan(["/dev/pts/7"], proc=str(proc))["/dev/pts/7"]
    assert {h.name: h.other_end for h in found} == {"socat": True, "minicom": False, "screen": False}
    assert found[0].to_dict()["other_end"] in (True, False)
