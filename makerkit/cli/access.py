"""``makerkit access add|list|remove|ca``: the class's broker logins and its TLS certificates."""

from __future__ import annotations

import json

import rich_click as click

from ..i18n import current_language

DB_HELP = "Portfolio: sqlite:///portfolio.db or postgresql://..."
ROLES = ("kit", "collector", "dashboard", "teacher")


@click.group()
def access():
    """Who may use the class broker: one login per kit, collector, dashboard and teacher.

    谁可以使用班级的 MQTT 服务器：每个套件、收集程序、看板和老师各有自己的账号。
    """


@access.command()
@click.option("--db", required=True, help=DB_HELP)
@click.option("--class", "class_id", required=True, help="Class id, e.g. 7a.")
@click.option("--role", type=click.Choice(ROLES), required=True,
              help="kit: its own topics only; collector: reads all; dashboard: reads only; teacher: reads and controls.")
@click.option("--name", required=True, help="The kit id for a kit (kit-07); a short name otherwise (hall-screen).")
@click.option("--replace", is_flag=True, help="Give an existing login a new password (the old one stops working).")
@click.option("--json", "as_json", is_flag=True, help='Print {"username": ..., "password": ...} for scripts.')
def add(db, class_id, role, name, replace, as_json):
    """Create a login and print its password once (only its hash is kept).

    创建一个账号并只显示一次密码（数据库里只保存密码的哈希值）。
    """
    from ..access.logins import issue_login
    from ..store import open_store
    with open_store(db) as store:
        login = issue_login(store, class_id=class_id, role=role, name=name, replace=replace)
    if as_json:
        click.echo(json.dumps({"username": login.username, "password": login.password}))
        return
    zh = current_language() == "zh"
    click.echo(("用户名：" if zh else "username: ") + login.username)
    click.echo(("密码：" if zh else "password: ") + login.password)
    click.echo("这个密码只显示这一次：请现在抄下来或交给设备。" if zh else
               "The password is shown this once: note it now or give it to the device.", err=True)


@access.command(name="list")
@click.option("--db", required=True, help=DB_HELP)
@click.option("--class", "class_id", default=None, help="Only this class.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def list_(db, class_id, as_json):
    """Every enabled login: username, role, class, kit, created (never a password).

    列出所有账号（不显示密码）。
    """
    from ..access.logins import list_logins
    from ..store import open_store
    with open_store(db) as store:
        rows = list_logins(store, class_id)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    for row in rows:
        click.echo(f"{row['username']:<40} {row['role']:<10} {row['class_id']:<8} {row['kit_id'] or '-':<10} "
                   f"{row['created_at']}")


@access.command()
@click.option("--db", required=True, help=DB_HELP)
@click.option("--username", required=True, help="The login, e.g. 7a.dashboard.hall-screen.")
def remove(db, username):
    """Disable a login: the broker refuses it from its next configuration or restart on.

    停用一个账号。
    """
    from ..access.logins import remove_login
    from ..store import open_store
    with open_store(db) as store:
        remove_login(store, username)
    click.echo(f"{username}: " + ("已停用" if current_language() == "zh" else "disabled"))


@access.command()
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Folder for ca.pem, ca-key.pem, broker.pem and broker-key.pem.")
@click.option("--host", "hosts", multiple=True,
              help="The broker's address as kits reach it (IP or name; repeatable).")
def ca(out_dir, hosts):
    """Make the class CA (kept if the folder has one) and a certificate for the broker, for mqtts://.

    生成班级 CA 证书和 MQTT 服务器证书（用于 mqtts://）。
    """
    from ..access.certs import create_ca
    files = create_ca(out_dir, hosts=list(hosts))
    click.echo(f"CA: {files.cafile}\nbroker: {files.certfile} {files.keyfile}")
    host = hosts[0] if hosts else "HOST"
    # 8883 is the mqtts port clients assume; give the port of your TLS listener when it differs
    click.echo(("客户端使用（端口为 TLS 监听端口，默认 8883）：" if current_language() == "zh"
                else "clients use (the port of the TLS listener, 8883 by default): ")
               + f"mqtts://{host}:8883?ca={files.cafile}")
