"""What a lesson checker finds, and the verdict of a whole check.

A checker returns a list of :class:`Finding`: each one passed, failed (with what to fix) or was
skipped (it needs the virtual kit, or something the host cannot see). The texts come in Simplified
Chinese and English; the CLI shows the student's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..i18n import current_language

PASS, FAIL, SKIP = "pass", "fail", "skip"

# Exit codes of `makerkit lesson check` (MakerkitError subclasses use 1-10).
EXIT_PASSED = 0
EXIT_CHECK_FAILED = 20      # the script ran, but the checker found something to fix
EXIT_SCRIPT_CRASHED = 21    # the script raised an exception (or never stopped)
EXIT_NOT_CHECKABLE = 22     # nothing could be checked on this kit (needs the virtual kit)
EXIT_WIRING_FAULT = 23      # the wiring check found a fault: the script did not run (wiring_check.py)


@dataclass(frozen=True)
class Finding:
    status: str            # PASS, FAIL or SKIP
    en: str
    zh: str
    fix_en: str = ""
    fix_zh: str = ""

    @property
    def passed(self) -> bool:
        return self.status == PASS

    @property
    def failed(self) -> bool:
        return self.status == FAIL

    def message(self, lang: str | None = None) -> str:
        return self.zh if (lang or current_language()) == "zh" else self.en

    def fix(self, lang: str | None = None) -> str:
        return self.fix_zh if (lang or current_language()) == "zh" else self.fix_en


def passed(en: str, zh: str) -> Finding:
    return Finding(PASS, en, zh)


def failed(en: str, zh: str, fix_en: str = "", fix_zh: str = "") -> Finding:
    return Finding(FAIL, en, zh, fix_en, fix_zh or fix_en)


def skipped(en: str, zh: str) -> Finding:
    return Finding(SKIP, en, zh)


@dataclass(frozen=True)
class ScriptCrash:
    """The student's script raised an exception: their own traceback and a hint."""
    kind: str                      # exception class name, e.g. "NameError"
    message: str                   # the exception's message (in the student's language if ours)
    frames: tuple[tuple[str, int, str, str], ...]   # (file, line, function, source line) of their file
    hint_en: str
    hint_zh: str
    t: float | None = None         # seconds into the run when it happened

    def hint(self, lang: str | None = None) -> str:
        return self.hint_zh if (lang or current_language()) == "zh" else self.hint_en

    def traceback_text(self, lang: str | None = None) -> str:
        lines = ["出错的位置（你的代码）：" if (lang or current_language()) == "zh" else "Traceback (your code):"]
        for file, line, func, source in self.frames:
            lines.append(f'  File "{file}", line {line}, in {func}')
            if source:
                lines.append(f"    {source}")
        lines.append(f"{self.kind}: {self.message}" if self.message else self.kind)
        return "\n".join(lines)


@dataclass(frozen=True)
class CheckReport:
    """The verdict of ``check_lesson``: findings, or the crash that stopped the script."""
    lesson_id: str
    board: str
    script: str
    sim: bool
    findings: tuple[Finding, ...] = ()
    crash: ScriptCrash | None = None
    run: object = field(default=None, compare=False, repr=False)   # the LessonRun
    kit_id: str = ""               # the kit's configured id and class (makerkit firmware), "" if unknown
    class_id: str = ""

    @property
    def outcome(self) -> str:
        """``passed``, ``failed``, ``crashed`` or ``not_checkable`` (what the portfolio records)."""
        return {EXIT_PASSED: "passed", EXIT_CHECK_FAILED: "failed", EXIT_SCRIPT_CRASHED: "crashed",
                EXIT_NOT_CHECKABLE: "not_checkable"}[self.exit_code]

    @property
    def passed(self) -> bool:
        return (self.crash is None and not any(f.failed for f in self.findings)
                and any(f.passed for f in self.findings))

    @property
    def exit_code(self) -> int:
        if self.crash is not None:
            return EXIT_SCRIPT_CRASHED
        if any(f.failed for f in self.findings):
            return EXIT_CHECK_FAILED
        if not any(f.passed for f in self.findings):
            return EXIT_NOT_CHECKABLE
        return EXIT_PASSED
