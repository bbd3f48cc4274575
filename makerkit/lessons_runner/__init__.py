"""Load a lesson folder, run a student's script on a kit, and check what it did.

::

    from makerkit.lessons_runner import check_lesson
    report = check_lesson("01-blink", sim=True, solution=True)
    report.passed, [f.message() for f in report.findings]

A lesson script is ``def main(kit): ...``; it receives its kit (never opens one) and uses
``kit.sleep()`` so it can run on the virtual clock. A checker (``check.py``) has ``check(run)``
returning findings and, optionally, ``scenario(run)`` scheduling changes in the simulated world.
"""

from .findings import (EXIT_CHECK_FAILED, EXIT_NOT_CHECKABLE, EXIT_PASSED, EXIT_SCRIPT_CRASHED,
                       EXIT_WIRING_FAULT, CheckReport, Finding, ScriptCrash, failed, passed, skipped)
from .lesson_run import LessonRun, Level, ScenarioEvent
from .recorder import (DeviceOpened, InputChange, KitEvent, LessonKit, LessonStop, LevelChange, Output,
                       Published, Reading)
from .runner import check_lesson, open_kit, pick_script, run_lesson, run_script

__all__ = [
    "CheckReport", "DeviceOpened", "EXIT_CHECK_FAILED", "EXIT_NOT_CHECKABLE", "EXIT_PASSED",
    "EXIT_SCRIPT_CRASHED", "EXIT_WIRING_FAULT", "Finding", "InputChange", "KitEvent", "LessonKit", "LessonRun", "LessonStop", "Level",
    "LevelChange", "Output", "Published", "Reading", "ScenarioEvent", "ScriptCrash", "check_lesson",
    "failed", "open_kit", "passed", "pick_script", "run_lesson", "run_script", "skipped",
]
