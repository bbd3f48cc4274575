"""Broker logins: who may connect, with which role. Only the password's hash is ever stored (in the
mosquitto ``$7$`` form, so broker files can be written from here without knowing any password)."""

from __future__ import annotations

from ..errors import UsageError
from .records import now_iso

ROLES = ("kit", "collector", "dashboard", "teacher")
_COLUMNS = ("username", "role", "class_id", "kit_id", "pw_hash", "created_at", "disabled_at")


class LoginRows:
    """Mixed into :class:`~makerkit.store.base.Store`."""

    def add_login(self, username: str, role: str, class_id: str, pw_hash: str, *, kit: str | None = None,
                  replace: bool = False) -> None:
        """Record a login. ``replace`` gives an existing one a new password hash (and enables it again)."""
        if role not in ROLES:
            raise UsageError(en=f"Unknown role {role!r}: use one of {', '.join(ROLES)}.",
                             zh=f"未知的角色 {role!r}：可选 {', '.join(ROLES)}。")
        self._need_class(class_id)
        with self._transaction():
            have = self._execute("SELECT role, class_id, kit_id FROM logins WHERE username = ?", (username,))
            if have and not replace:
                raise UsageError(en=f"There is already a login called {username}.",
                                 zh=f"已经有一个名为 {username} 的登录账号。",
                                 hint_en="Pick another --name, or give it a new password with --replace.",
                                 hint_zh="请换一个 --name，或者加 --replace 给它设置新密码。")
            if have:
                self._execute("UPDATE logins SET pw_hash = ?, disabled_at = NULL WHERE username = ?",
                              (pw_hash, username))
            else:
                self._execute("INSERT INTO logins (username, role, class_id, kit_id, pw_hash, created_at) "
                              "VALUES (?, ?, ?, ?, ?, ?)", (username, role, class_id, kit, pw_hash, now_iso()))

    def login(self, username: str) -> dict | None:
        rows = self._execute(f"SELECT {', '.join(_COLUMNS)} FROM logins WHERE username = ?", (username,))
        return dict(zip(_COLUMNS, rows[0])) if rows else None

    def logins(self, class_id: str | None = None, role: str | None = None, *, enabled_only: bool = True) -> list[dict]:
        cond, params = [], []
        if class_id:
            cond.append("class_id = ?"); params.append(class_id)
        if role:
            cond.append("role = ?"); params.append(role)
        if enabled_only:
            cond.append("disabled_at IS NULL")
        where = (" WHERE " + " AND ".join(cond)) if cond else ""
        return [dict(zip(_COLUMNS, row)) for row in self._execute(
            f"SELECT {', '.join(_COLUMNS)} FROM logins{where} ORDER BY username", params)]

    def disable_login(self, username: str) -> bool:
        with self._transaction():
            found = bool(self._execute("SELECT 1 FROM logins WHERE username = ?", (username,)))
            self._execute("UPDATE logins SET disabled_at = ? WHERE username = ? AND disabled_at IS NULL",
                          (now_iso(), username))
        return found
