"""``makerkit broker config|run``: a broker that enforces the class's access rules."""

from __future__ import annotations

import signal
import threading

import rich_click as click

from ..i18n import current_language

DB_HELP = "Portfolio with the logins: sqlite:///portfolio.db or postgresql://..."


@click.group()
def broker():
    """A class broker that lets in only the class's logins, each only where its role allows.

    只允许班级账号登录、并按角色限制权限的 MQTT 服务器。
    """


def _tls(tls_dir):
    if not tls_dir:
        return None
    from ..access.certs import tls_files
    return tls_files(tls_dir)


@broker.command()
@click.option("--db", required=True, help=DB_HELP)
@click.option("--listen", required=True, help="HOST:PORT the broker listens on, e.g. 0.0.0.0:1883.")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Folder for mosquitto.conf, passwd and acl (written mode 0600).")
@click.option("--class", "class_id", default=None, help="Only this class's logins (default: every class).")
@click.option("--tls-dir", default=None, type=click.Path(file_okay=False),
              help="Certificates from makerkit access ca: listen with TLS (mqtts://).")
def config(db, listen, out_dir, class_id, tls_dir):
    """Write a mosquitto configuration enforcing the access rules; run it with mosquitto -c DIR/mosquitto.conf.

    生成按访问规则限制的 mosquitto 配置文件。
    """
    from ..access.mosquitto import render_mosquitto
    from ..store import open_store
    with open_store(db) as store:
        files = render_mosquitto(store, listen=listen, out_dir=out_dir, tls=_tls(tls_dir), class_id=class_id)
    zh = current_language() == "zh"
    click.echo((f"已写入 {files.logins} 个账号：" if zh else f"{files.logins} logins written: ") + files.conf)
    click.echo(("运行：" if zh else "run: ") + f"mosquitto -c {files.conf}")


def _default_data_dir(db: str) -> str:
    """Where ``broker run``'s mosquitto keeps its files: next to a SQLite portfolio, else in this folder."""
    path = db[len("sqlite:///"):] if db.startswith("sqlite:///") else ""
    return path + ".broker" if path and path != ":memory:" else "makerkit-broker"


@broker.command()
@click.option("--db", required=True, help=DB_HELP)
@click.option("--listen", required=True, help="HOST:PORT the broker listens on, e.g. 0.0.0.0:1883.")
@click.option("--class", "class_id", default=None, help="Only this class's logins (default: every class).")
@click.option("--engine", type=click.Choice(["auto", "amqtt", "mosquitto"]), default="auto", show_default=True,
              help="amqtt is built in; mosquitto when installed.")
@click.option("--tls-dir", default=None, type=click.Path(file_okay=False),
              help="Certificates from makerkit access ca: listen with TLS (mqtts://).")
@click.option("--data-dir", default=None, type=click.Path(file_okay=False),
              help="mosquitto: folder for its files and the sessions and retained messages it keeps across "
                   "restarts (default: next to a SQLite portfolio, PORTFOLIO.db.broker; else ./makerkit-broker).")
def run(db, listen, class_id, engine, tls_dir, data_dir):
    """Run the embedded broker with the access rules until Ctrl-C or SIGTERM.

    运行内置 MQTT 服务器（按访问规则），按 Ctrl-C 停止。
    """
    from ..access.mosquitto import parse_listen
    from ..broker import EmbeddedBroker
    from ..store import open_store
    host, port = parse_listen(listen)
    with open_store(db) as store:
        logins = store.logins(class_id)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with EmbeddedBroker(engine=engine, host=host, port=port, logins=logins, allow_anonymous=False,
                        tls=_tls(tls_dir), data_dir=data_dir or _default_data_dir(db)) as running:
        zh = current_language() == "zh"
        click.echo((f"MQTT 服务器（{running.engine}，{len(logins)} 个账号）正在监听 " if zh else
                    f"broker ({running.engine}, {len(logins)} logins) listening on ") + running.url, err=True)
        if running.engine == "mosquitto":
            click.echo((f"会话和保留消息保存在 {running.data_dir}（重启后仍在）" if zh else
                        f"sessions and retained messages kept in {running.data_dir} (across restarts)"), err=True)
        try:
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
    click.echo("已停止。" if current_language() == "zh" else "Stopped.", err=True)
