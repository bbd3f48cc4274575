"""The hand-edited mosquitto configuration we ship (conf/mosquitto-classroom.conf) carries the same
limits as the one ``makerkit broker config`` writes, so a school that starts from either gets bounded
queues and the same message size limit (issue 10, floods are bounded)."""

from __future__ import annotations

from pathlib import Path

from makerkit.access.mosquitto import MAX_QUEUED_BYTES, MESSAGE_SIZE_LIMIT

CONF = Path(__file__).resolve().parents[2] / "conf" / "mosquitto-classroom.conf"


def settings(text: str) -> dict[str, str]:
    out = {}
    for line in text.splitlines():
        words = line.split("#", 1)[0].split()
        if len(words) >= 2:
            out[words[0]] = " ".join(words[1:])
    return out


def test_shipped_conf_limits_match_the_generated_config():
    conf = settings(CONF.read_text("utf-8"))
    assert int(conf["message_size_limit"]) == MESSAGE_SIZE_LIMIT
    assert int(conf["max_queued_bytes"]) == MAX_QUEUED_BYTES > 0
    assert conf["max_queued_messages"] == "0"          # bounded by bytes, never by mosquitto's 1,000 count
    assert conf["allow_anonymous"] == "false"


def test_shipped_conf_starts_a_real_mosquitto(tmp_path):
    import getpass
    import shutil
    import socket
    import subprocess

    from support.brokers import wait_port
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    exe = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    text = CONF.read_text("utf-8")
    (tmp_path / "passwd").write_text("")
    text = (text.replace("/etc/mosquitto/makerkit.passwd", str(tmp_path / "passwd"))
                .replace("/var/lib/mosquitto/", f"{tmp_path}/")
                .replace("listener 1883 0.0.0.0", f"listener {port} 127.0.0.1"))
    text += f"user {getpass.getuser()}\n"          # as root, mosquitto would switch to its own user
    conf = tmp_path / "m.conf"
    conf.write_text(text)
    # mosquitto 2.0 has no config check flag: start it and see that it stays up and listens
    proc = subprocess.Popen([exe, "-c", str(conf)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        try:
            out, _ = proc.communicate(timeout=1.5)
            raise AssertionError(f"mosquitto refused the shipped configuration: {out.decode(errors='replace')}")
        except subprocess.TimeoutExpired:
            pass                                          # still running: every line was accepted
        wait_port(port, timeout=20)                       # listening (a loaded machine may take a while)
        assert proc.poll() is None
    finally:
        proc.kill()
        proc.wait(timeout=5)
