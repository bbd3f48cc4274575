"""The proof of the curriculum: every lesson's solution passes its checker, and its starter does not,
on the virtual kit of every board the lesson lists (the real firmware on a simulated board, on the
virtual clock), after the same wiring check `makerkit lesson check` runs first.

Parametrized from the lesson catalogue, so a lesson added to lessons/ is covered without a line
here. The starter's findings must be ones a student can act on: every failed finding says what went
wrong and what to do, in English and in Chinese.
"""

from __future__ import annotations

import re

import pytest

from makerkit.catalog.lessons import load_lessons
from makerkit.lessons_runner import EXIT_CHECK_FAILED, EXIT_PASSED, check_lesson, open_kit
from makerkit.lessons_runner.wiring_check import check_wiring

_CJK = re.compile(r"[\u4e00-\u9fff]")
CASES = [(lesson.id, board) for lesson in load_lessons() for board in lesson.boards]


def _check(lesson_id: str, board: str, solution: bool):
    lesson = next(item for item in load_lessons() if item.id == lesson_id)
    kit = open_kit(sim=True, board=board, clock="virtual")
    try:
        wiring = check_wiring(lesson, kit)
        assert wiring.passed, [f.message("en") for f in wiring.errors]
        return check_lesson(lesson, kit=kit, solution=solution)
    finally:
        kit.close()


def _say(report) -> list[str]:
    if report.crash is not None:
        return [report.crash.traceback_text(), report.crash.hint("en")]
    return [f"{f.status}: {f.message('en')}" for f in report.findings]


@pytest.mark.parametrize("lesson_id, board", CASES)
def test_the_solution_passes(lesson_id, board):
    report = _check(lesson_id, board, solution=True)
    assert report.crash is None, _say(report)
    assert report.exit_code == EXIT_PASSED, _say(report)
    assert all(f.passed for f in report.findings), _say(report)


@pytest.mark.parametrize("lesson_id, board", CASES)
def test_the_starter_gets_findings_a_student_can_act_on(lesson_id, board):
    report = _check(lesson_id, board, solution=False)
    assert report.crash is None, _say(report)         # a starter runs; it is only unfinished
    assert report.exit_code == EXIT_CHECK_FAILED, _say(report)
    failed = [f for f in report.findings if f.failed]
    assert failed
    for finding in failed:
        assert finding.message("en") and _CJK.search(finding.message("zh")), _say(report)
        assert finding.fix("en") and _CJK.search(finding.fix("zh")), f"no fix for: {finding.message('en')}"


def test_every_lesson_is_covered_on_every_board_it_lists():
    lessons = load_lessons()
    assert len(lessons) >= 3
    assert {(item.id, b) for item in lessons for b in item.boards} == set(CASES)
