"""The one model of what each role may do on the class broker (docs/ACCESS.md, docs/TELEMETRY.md §1).

A login has a role, a class and (for a kit) a kit id. :func:`grants` turns it into ``read`` and ``write``
topic patterns (MQTT filters with ``+``); the mosquitto files (:mod:`makerkit.access.mosquitto`) and the
embedded broker (:mod:`makerkit.broker`) are both generated from these grants and nothing else:

==========  ==========================================================  ========================================
role        reads                                                       writes
==========  ==========================================================  ========================================
kit         its own ``replay`` and ``control``, its class's ``control``  its own ``telemetry``, ``status``, ``event``
collector   its class's ``telemetry``/``status``/``event``; collector    its class's ``replay``; ``_collector/+/``
            ``status``/``stats``                                         ``status``/``stats``
dashboard   its class's ``telemetry``/``status``/``event``; collector    nothing
            ``status``/``stats``
teacher     what a dashboard reads, and its class's ``control``          its class's ``control`` (one kit, or
                                                                         ``_class`` for every kit)
==========  ==========================================================  ========================================

Subscribing is allowed to any filter that can match a topic the login may read; each message is then
checked against the read grants before it is delivered (this is what mosquitto does with ACL files,
and what the embedded broker does with its RECEIVE check), so ``#`` from a dashboard delivers only
its class. A collector may publish the status of any collector id because its id is chosen on its
command line (``--id``), not by its login.
"""

from __future__ import annotations

from typing import NamedTuple

from ..protocol.telemetry import CLASS_SEGMENT, COLLECTOR_SEGMENT, ROOT, check_id

ROLES = ("kit", "collector", "dashboard", "teacher")
READ, WRITE = "read", "write"
KIT_WRITES = ("telemetry", "status", "event")
CLASS_READS = ("telemetry", "status", "event")


class Grant(NamedTuple):
    access: str      # READ or WRITE
    pattern: str     # an MQTT topic filter (only ``+`` wildcards)


def grants(role: str, class_id: str, kit: str | None = None) -> tuple[Grant, ...]:
    """Every topic pattern a login of ``role`` in ``class_id`` (and ``kit``, for a kit) may read or write."""
    c = f"{ROOT}/{check_id(class_id, 'class')}"
    collectors = f"{ROOT}/{COLLECTOR_SEGMENT}/+"
    watch = tuple(Grant(READ, f"{c}/+/{kind}") for kind in CLASS_READS) + (
        Grant(READ, f"{collectors}/status"), Grant(READ, f"{collectors}/stats"))
    if role == "kit":
        own = f"{c}/{check_id(kit or '')}"
        return tuple(Grant(WRITE, f"{own}/{kind}") for kind in KIT_WRITES) + (
            Grant(READ, f"{own}/replay"), Grant(READ, f"{own}/control"), Grant(READ, f"{c}/{CLASS_SEGMENT}/control"))
    if role == "collector":
        return watch + (Grant(WRITE, f"{c}/+/replay"), Grant(WRITE, f"{collectors}/status"),
                        Grant(WRITE, f"{collectors}/stats"))
    if role == "dashboard":
        return watch
    if role == "teacher":
        return watch + (Grant(READ, f"{c}/+/control"), Grant(WRITE, f"{c}/+/control"))
    raise ValueError(f"unknown role {role!r}")


def login_grants(login: dict) -> tuple[Grant, ...]:
    """:func:`grants` of a login row of the store (keys ``role``, ``class_id``, ``kit_id``)."""
    return grants(login["role"], login["class_id"], login.get("kit_id"))


def topic_matches(pattern: str, topic: str) -> bool:
    """MQTT matching of a concrete ``topic`` against a filter with ``+`` and ``#``."""
    pat, top = pattern.split("/"), topic.split("/")
    if top and top[0].startswith("$") and not pat[0].startswith("$") and pat[0] in ("+", "#"):
        return False            # wildcards at the start never match $SYS and friends
    for i, p in enumerate(pat):
        if p == "#":
            return True
        if i >= len(top) or (p != "+" and p != top[i]):
            return False
    return len(pat) == len(top)


def filters_overlap(a: str, b: str) -> bool:
    """True when some topic matches both filters ``a`` and ``b``."""
    sa, sb = a.split("/"), b.split("/")
    for i in range(max(len(sa), len(sb))):
        x = sa[i] if i < len(sa) else None
        y = sb[i] if i < len(sb) else None
        if x == "#" or y == "#":
            return True
        if x is None or y is None:
            return False
        if x != y and x != "+" and y != "+":
            return False
    return True


def strip_share(topic_filter: str) -> str:
    """``$share/{group}/{filter}`` → ``{filter}``; anything else unchanged."""
    parts = topic_filter.split("/", 2)
    return parts[2] if len(parts) == 3 and parts[0] == "$share" else topic_filter


def may_publish(rules: tuple[Grant, ...], topic: str) -> bool:
    return "+" not in topic and "#" not in topic and any(
        g.access == WRITE and topic_matches(g.pattern, topic) for g in rules)


def may_receive(rules: tuple[Grant, ...], topic: str) -> bool:
    return any(g.access == READ and topic_matches(g.pattern, topic) for g in rules)


def may_subscribe(rules: tuple[Grant, ...], topic_filter: str) -> bool:
    flt = strip_share(topic_filter)
    return any(g.access == READ and filters_overlap(g.pattern, flt) for g in rules)
