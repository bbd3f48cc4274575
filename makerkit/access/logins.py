"""Issue broker logins: a new random password for a role, only its hash kept in the store.

Usernames are derived, never chosen freely, so that a name cannot pose as another role or another kit:

- a kit: ``{class}.{kit}`` (``7a.kit-07``);
- every other role: ``{class}.{role}.{name}`` (``7a.collector.room-12``, ``7a.dashboard.hall``).

Ids and names are 1 to 32 of ``a-z``, ``0-9`` and ``-``, so ``.`` never occurs inside one.
The password is returned once, in :class:`Credentials`, and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import UsageError
from ..protocol.telemetry import ID_RE, check_id
from .passwords import hash_password, new_password
from .rules import ROLES


@dataclass(frozen=True)
class Credentials:
    """A username and its plain password, as issued; ``repr`` and ``str`` never show the password."""
    username: str
    password: str = field(repr=False)

    def __str__(self) -> str:
        return f"Credentials(username={self.username!r}, password=<hidden>)"


def username_for(*, class_id: str, role: str, name: str | None = None, kit: str | None = None) -> str:
    """The username of a login (see the module docstring); checks every part."""
    _check_role(role)
    check_id(class_id, "class")
    if role == "kit":
        if not kit:
            raise UsageError(en="A kit login needs the kit's id.", zh="套件账号需要套件编号。",
                             hint_en="Give the kit id as --name, e.g. --name kit-07.",
                             hint_zh="请用 --name 给出套件编号，例如 --name kit-07。")
        return f"{class_id}.{check_id(kit)}"
    if not isinstance(name, str) or not ID_RE.match(name):
        raise UsageError(en=f"The login name {name!r} is not allowed: use 1 to 32 of a-z, 0-9 and '-'.",
                         zh=f"账号名 {name!r} 不合法：只能用 1 到 32 个 a-z、0-9 或 '-'。",
                         hint_en="Pick a name such as hall-screen or ms-li.",
                         hint_zh="请使用类似 hall-screen 或 ms-li 的名字。")
    return f"{class_id}.{role}.{name}"


def issue_login(store, *, class_id: str, role: str, name: str | None = None, kit: str | None = None,
                replace: bool = False) -> Credentials:
    """Create a login of ``role`` in class ``class_id`` with a new password and store its hash.

    For ``role="kit"`` the kit id is ``kit`` (or ``name`` when ``kit`` is not given). ``replace`` gives an
    existing login a new password (and enables it again); without it an existing username is refused.
    """
    if role == "kit":
        kit = kit or name
    username = username_for(class_id=class_id, role=role, name=name, kit=kit)
    password = new_password()
    store.add_login(username, role, class_id, hash_password(password),
                    kit=kit if role == "kit" else None, replace=replace)
    return Credentials(username, password)


def list_logins(store, class_id: str | None = None) -> list[dict]:
    """Every enabled login (username, role, class, kit, created), hashes left out."""
    return [{k: row[k] for k in ("username", "role", "class_id", "kit_id", "created_at")}
            for row in store.logins(class_id)]


def remove_login(store, username: str) -> None:
    """Disable a login: the broker refuses it from its next configuration or restart on."""
    if not store.disable_login(username):
        raise UsageError(en=f"There is no login called {username}.", zh=f"没有名为 {username} 的账号。",
                         hint_en="Run makerkit access list --db URL to see the logins.",
                         hint_zh="运行 makerkit access list --db 数据库 查看所有账号。")


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise UsageError(en=f"Unknown role {role!r}: use one of {', '.join(ROLES)}.",
                         zh=f"未知的角色 {role!r}：可选 {', '.join(ROLES)}。")
