"""``makerkit dashboard``: the class at a glance in a browser, with the teacher's controls."""

from __future__ import annotations

import signal
import threading

import rich_click as click

from ..i18n import current_language


@click.command()
@click.option("--broker", required=True, help="The class broker, mqtt://HOST:PORT or mqtts://HOST:PORT?ca=CERTS/ca.pem (TLS).")
@click.option("--db", required=True, help="Portfolio: sqlite:///portfolio.db or postgresql://...")
@click.option("--listen", default="127.0.0.1:8080", show_default=True,
              help="HOST:PORT of the web page. On loopback the class view needs no login; anywhere else "
                   "(0.0.0.0:8080) every page needs a teacher or dashboard login.")
@click.option("--class", "classes", multiple=True, help="Only these classes (repeatable; default: every class).")
@click.option("--username", default=None, envvar="MAKERKIT_MQTT_USERNAME",
              help="Broker login of the dashboard (a dashboard login; or MAKERKIT_MQTT_USERNAME).")
@click.option("--password", default=None, envvar="MAKERKIT_MQTT_PASSWORD",
              help="Its password (better: MAKERKIT_MQTT_PASSWORD).")
def dashboard(broker, db, listen, classes, username, password):
    """Serve the class dashboard until Ctrl-C: a tile per kit with live readings, each kit's history,
    and for a teacher's login the controls (stop all, say).

    班级看板：每个套件一个卡片，实时显示读数；可查看每个套件的历史；教师登录后可以"全部停止"和发送消息。

    Example: makerkit dashboard --broker mqtt://127.0.0.1:1883 --db sqlite:///classroom.db --listen 127.0.0.1:8080
    """
    from ..dashboard import run_dashboard

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    zh = current_language() == "zh"

    def started(server):
        open_view = server.settings.open_view
        click.echo(f"看板：{server.url}" if zh else f"Dashboard: {server.url}")
        if open_view:
            click.echo("全班一览不需要登录（只有本机能打开）；教师控制需要教师账号登录。" if zh else
                       "The class view needs no login (only this computer can open it); the controls need a teacher login.")
        else:
            click.echo("每个页面都需要教师或看板账号登录。" if zh else "Every page needs a teacher or dashboard login.")
        click.echo("按 Ctrl-C 停止。" if zh else "Press Ctrl-C to stop.")

    run_dashboard(broker=broker, db=db, listen=listen, classes=classes, username=username, password=password,
                  stop_event=stop, on_started=started)
