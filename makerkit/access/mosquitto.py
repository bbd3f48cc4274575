"""Write a mosquitto 2.x configuration that enforces :mod:`makerkit.access.rules` for the store's logins.

Three files in one folder, each mode 0600: ``mosquitto.conf``, ``passwd`` (``username:$7$...`` lines,
exactly the form ``mosquitto_passwd`` writes) and ``acl`` (one ``user`` block per login with its
``topic read``/``topic write`` lines). A password file and an ACL file rather than the dynamic-security
plugin, because:

- they are read-only for the broker: the dynamic-security plugin rewrites its JSON file and is managed
  through an admin login, which would be one more password to keep;
- they are complete at start and reloaded on SIGHUP (``kill -HUP``), so "run ``broker config`` again,
  then reload" is the whole workflow, and a teacher can read in plain text who may do what;
- ``pattern`` lines (``%u``) cannot express our usernames (``7a.kit-07`` holds the class and the kit
  with a ``.``, topics need them split), so each login gets its own ``user`` block.

Limits (also in ``conf/mosquitto-classroom.conf``, explained in docs/TELEMETRY.md):

- ``message_size_limit`` :data:`MESSAGE_SIZE_LIMIT`: twice the contract's largest payload (4096 bytes,
  :data:`makerkit.protocol.telemetry.MAX_PAYLOAD`), room for a collector's stats of a large school;
  mosquitto drops a bigger message but completes its QoS flow, so an MQTT 3.1.1 sender (every kit) is not
  cut off. An MQTT 5 sender gets PUBACK reason 149, which paho-mqtt treats as a protocol error: it
  reconnects and sends the message again, forever. makerkit's own clients therefore never send one
  (:meth:`makerkit.mqtt.connection.MqttConnection.publish` refuses it);
- ``max_queued_bytes`` :data:`MAX_QUEUED_BYTES` per client: a class's backlog for a whole school day
  (32 kits x 1 reading/s x 8 h x about 250 bytes per queued message, about 230 MB), so a collector
  that is off all day loses nothing, while a junk flood cannot fill the laptop's memory.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass

from ..errors import UsageError
from ..protocol.telemetry import MAX_MESSAGE
from .rules import READ, login_grants

MESSAGE_SIZE_LIMIT = MAX_MESSAGE
MAX_QUEUED_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class TlsFiles:
    """PEM files for a TLS listener: the broker's certificate and key, and the CA that signed it."""
    certfile: str
    keyfile: str
    cafile: str


@dataclass(frozen=True)
class MosquittoFiles:
    conf: str
    passwd: str
    acl: str
    logins: int


def parse_listen(listen: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:8883`` for IPv6) → ``(host, port)``."""
    host, sep, port = (listen or "").rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise UsageError(en=f"--listen {listen!r} should be HOST:PORT, for example 0.0.0.0:1883.",
                         zh=f"--listen {listen!r} 应写成 主机:端口，例如 0.0.0.0:1883。")
    return host, int(port)


def password_lines(logins: list[dict]) -> str:
    return "".join(f"{row['username']}:{row['pw_hash']}\n" for row in logins)


def acl_text(logins: list[dict]) -> str:
    out = ["# Who may read and write which topics (makerkit.access.rules); anything not listed is refused.\n"]
    for row in logins:
        out.append(f"\nuser {row['username']}\n")
        out.extend(f"topic {'read' if g.access == READ else 'write'} {g.pattern}\n" for g in login_grants(row))
    return "".join(out)


def conf_text(*, host: str, port: int, out_dir: str, tls: TlsFiles | None, run_as: str,
              allow_anonymous: bool = False) -> str:
    lines = [
        "# mosquitto configuration written by `makerkit broker config`; run: mosquitto -c THIS_FILE",
        "# Rules and limits: docs/ACCESS.md and docs/TELEMETRY.md. Reload after `broker config`: kill -HUP PID",
        "per_listener_settings false",
    ]
    if allow_anonymous:     # the one-laptop classroom on loopback: no logins at all (an ACL file would deny all)
        lines.append("allow_anonymous true")
    else:
        lines += ["allow_anonymous false", f"password_file {os.path.join(out_dir, 'passwd')}",
                  f"acl_file {os.path.join(out_dir, 'acl')}"]
    lines.append(f"listener {port} {host}")
    if tls:
        lines += [f"certfile {tls.certfile}", f"keyfile {tls.keyfile}", f"cafile {tls.cafile}",
                  "tls_version tlsv1.2"]
    lines += [
        f"message_size_limit {MESSAGE_SIZE_LIMIT}",
        "max_queued_messages 0",
        f"max_queued_bytes {MAX_QUEUED_BYTES}",
        "max_inflight_messages 0",
        "persistent_client_expiration 14d",
        "persistence true",
        f"persistence_location {os.path.join(out_dir, 'data')}/",
        "autosave_interval 30",
        # the files are 0600 for the user who wrote them: mosquitto must run as that user to read them
        f"user {run_as}",
    ]
    return "\n".join(lines) + "\n"


def _write_private(path: str, text: str) -> None:
    tmp = f"{path}.tmp{os.getpid()}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def write_mosquitto(logins: list[dict], *, listen: str, out_dir: str, tls: TlsFiles | None = None,
                    run_as: str | None = None, allow_anonymous: bool = False) -> MosquittoFiles:
    """Write the three files for ``logins`` (store rows with ``pw_hash``) into ``out_dir``.
    ``allow_anonymous`` (loopback only, checked by the caller) lets everyone in and ignores ``logins``."""
    host, port = parse_listen(listen)
    out_dir = os.path.abspath(out_dir)
    os.makedirs(os.path.join(out_dir, "data"), mode=0o700, exist_ok=True)
    files = MosquittoFiles(os.path.join(out_dir, "mosquitto.conf"), os.path.join(out_dir, "passwd"),
                           os.path.join(out_dir, "acl"), len(logins))
    _write_private(files.passwd, password_lines(logins))
    _write_private(files.acl, acl_text(logins))
    _write_private(files.conf, conf_text(host=host, port=port, out_dir=out_dir, tls=tls,
                                         run_as=run_as or getpass.getuser(), allow_anonymous=allow_anonymous))
    return files


def render_mosquitto(store, *, listen: str, out_dir: str, tls: TlsFiles | None = None,
                     class_id: str | None = None) -> MosquittoFiles:
    """Write a mosquitto configuration for every enabled login in ``store`` (one class when given)."""
    return write_mosquitto(store.logins(class_id), listen=listen, out_dir=out_dir, tls=tls)
