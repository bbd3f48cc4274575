"""Text in Simplified Chinese and English, as lessons, arenas and boards carry it."""

from __future__ import annotations

from dataclasses import dataclass

from ..i18n import current_language


@dataclass(frozen=True)
class Text:
    """One piece of text in Simplified Chinese and English."""
    zh: str
    en: str

    def pick(self, lang: str | None = None) -> str:
        return self.zh if (lang or current_language()) == "zh" else self.en

    def __str__(self) -> str:
        return self.pick()
