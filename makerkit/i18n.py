"""Pick the language of user-facing text: Simplified Chinese or English.

The choice comes from ``MAKERKIT_LANG`` (``zh`` / ``en``), then the usual locale variables
(``LC_ALL``, ``LC_MESSAGES``, ``LANG``); anything starting with ``zh`` means Chinese.
Nothing is read at import time: callers ask when they format a message.
"""

from __future__ import annotations

import os

SUPPORTED = ("zh", "en")


def current_language() -> str:
    """Return ``"zh"`` or ``"en"`` for the person at the keyboard."""
    explicit = os.environ.get("MAKERKIT_LANG", "").strip().lower()
    if explicit.startswith("zh"):
        return "zh"
    if explicit.startswith("en"):
        return "en"
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "").strip().lower()
        if value:
            return "zh" if value.startswith("zh") else "en"
    return "en"


def pick(text: dict[str, str] | str, lang: str | None = None) -> str:
    """Choose one language from ``{"zh": ..., "en": ...}``; plain strings pass through."""
    if isinstance(text, str):
        return text
    lang = lang or current_language()
    return text.get(lang) or text.get("en") or next(iter(text.values()), "")
