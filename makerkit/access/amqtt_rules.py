"""The access rules inside the embedded amqtt broker: plugins that check logins and topics, and a broker
that drops messages over the size limit (amqtt has no limit of its own).

:func:`amqtt_plugins` gives the ``plugins`` section of an amqtt configuration for a list of store logins;
:func:`limited_broker_class` gives an ``amqtt.broker.Broker`` subclass that never forwards a payload
larger than ``limit`` bytes (it completes the QoS flow and keeps the sender connected, as mosquitto's
``message_size_limit`` does).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from amqtt.contexts import Action
from amqtt.plugins.base import BaseAuthPlugin, BaseTopicPlugin

from ..errors import BrokerError
from .passwords import verify_password
from .rules import Grant, login_grants, may_publish, may_receive, may_subscribe

_log = logging.getLogger("makerkit.broker")


class LoginAuthPlugin(BaseAuthPlugin):
    """Accepts a client whose username is an enabled login and whose password matches its hash."""

    @dataclass
    class Config:
        hashes: dict[str, str] = field(default_factory=dict)
        allow_anonymous: bool = False

    async def authenticate(self, *, session) -> bool | None:
        username = getattr(session, "username", None)
        if not username:
            return bool(self.context.config.allow_anonymous)
        hashed = self.context.config.hashes.get(username)
        password = getattr(session, "password", None)
        if isinstance(password, bytes):
            password = password.decode("utf-8", "replace")
        ok = hashed is not None and isinstance(password, str) and verify_password(password, hashed)
        if not ok:
            _log.info("refused login %r", username)
        return ok


class RulesTopicPlugin(BaseTopicPlugin):
    """Publish, subscribe and every delivery checked against :mod:`makerkit.access.rules`."""

    @dataclass
    class Config:
        grants: dict[str, list[list[str]]] = field(default_factory=dict)
        allow_anonymous: bool = False

    def __init__(self, context) -> None:
        super().__init__(context)
        self._rules = {user: tuple(Grant(a, p) for a, p in pairs) for user, pairs in context.config.grants.items()}

    async def topic_filtering(self, *, session=None, topic: str | None = None, action: Action | None = None) -> bool:
        username = getattr(session, "username", None) if session else None
        if not username:
            return bool(self.context.config.allow_anonymous)
        rules = self._rules.get(username)
        if rules is None or not topic:
            return False
        if action == Action.PUBLISH:
            return may_publish(rules, topic)
        if action == Action.SUBSCRIBE:
            return may_subscribe(rules, topic)
        if action == Action.RECEIVE:
            return may_receive(rules, topic)
        return False


def amqtt_plugins(logins: list[dict], *, allow_anonymous: bool) -> dict[str, Any]:
    """The ``plugins`` section of an amqtt broker configuration enforcing the rules for ``logins``."""
    return {
        f"{__name__}.LoginAuthPlugin": {
            "hashes": {row["username"]: row["pw_hash"] for row in logins}, "allow_anonymous": allow_anonymous},
        f"{__name__}.RulesTopicPlugin": {
            "grants": {row["username"]: [list(g) for g in login_grants(row)] for row in logins},
            "allow_anonymous": allow_anonymous},
    }


def limited_broker_class(limit: int):
    """An ``amqtt.broker.Broker`` subclass that drops every message with a payload over ``limit`` bytes."""
    from amqtt.broker import Broker

    class LimitedBroker(Broker):
        async def _handle_message_delivery(self, client_session, handler, wait_deliver):
            message = wait_deliver.result()
            data = getattr(message, "data", None)
            if data is not None and len(data) > limit:
                _log.info("dropped a %d-byte message from %s (limit %d)", len(data), client_session.client_id, limit)
                return True
            return await super()._handle_message_delivery(client_session, handler, wait_deliver)

    if not hasattr(Broker, "_handle_message_delivery"):
        raise BrokerError(en="This amqtt version cannot limit message sizes, so makerkit will not run it.",
                          zh="这个版本的 amqtt 无法限制消息大小，makerkit 不会运行它。",
                          hint_en="Install amqtt 0.12 (pip install 'amqtt==0.12.1') or use mosquitto.",
                          hint_zh="请安装 amqtt 0.12（pip install 'amqtt==0.12.1'），或者改用 mosquitto。")
    return LimitedBroker
