"""The shipped curriculum as a term of classes needs it: enough lessons, every topic the course names,
and the design cycle (research, plan, make, reflect) in both languages in every project lesson."""

from __future__ import annotations

import re

import pytest

from makerkit.catalog.lessons import TOPICS, load_lessons

LESSONS = load_lessons()

# What a term of maker-space classes covers: the topic and what the lesson's English title names.
COURSE = {
    "traffic light (sequence, functions)": ("output", r"traffic light"),
    "breathing LED (PWM, loops)": ("output", r"breathing led"),
    "buzzer melody (lists, tone)": ("output", r"buzzer|melody"),
    "button counter with debouncing": ("input", r"button counter"),
    "potentiometer dimmer": ("input", r"potentiometer|dimmer"),
    "night light (light sensor, thresholds)": ("sensor", r"night light"),
    "distance meter (HC-SR04)": ("sensor", r"distance"),
    "an I2C sensor": ("sensor", r"i2c"),
    "servo gauge": ("actuator", r"servo"),
    "DC motors through a motor driver": ("actuator", r"motor"),
    "class weather station": ("iot", r"weather"),
    "alarm with thresholds": ("iot", r"alarm"),
    "remote control over MQTT": ("iot", r"remote"),
    "drive a square": ("robot", r"square"),
    "obstacle avoidance": ("robot", r"obstacle"),
    "line following": ("robot", r"line follow"),
    "an open robot project": ("robot", r"project"),
    "AI intro": ("ai", r"learn|ai\b|classif"),
}


def test_at_least_eighteen_lessons_over_every_topic():
    assert len(LESSONS) >= 18
    assert {t for lesson in LESSONS for t in lesson.topics} == set(TOPICS)
    assert len({lesson.number for lesson in LESSONS}) == len(LESSONS)       # numbered once each


@pytest.mark.parametrize("what", sorted(COURSE))
def test_the_course_covers(what):
    topic, title = COURSE[what]
    found = [lesson.id for lesson in LESSONS
             if topic in lesson.topics and re.search(title, lesson.title.en, re.I)]
    assert found, f"no lesson teaches {what}: topic {topic!r}, a title like {title!r}"


def test_the_robot_and_iot_strands_have_several_lessons_each():
    robots = [lesson for lesson in LESSONS if lesson.robot is not None]
    assert len(robots) >= 4                        # square, obstacles, line following, an open project
    assert {lesson.robot.arena for lesson in robots} >= {"line-loop", "obstacle-field"}
    assert len([lesson for lesson in LESSONS if "iot" in lesson.topics]) >= 3


STAGES_EN = ("Research", "Plan", "Make", "Reflect")
STAGES_ZH = ("调研", "方案", "制造", "反思")


def _section(text: str, heading: str) -> str:
    match = re.search(rf"^## {re.escape(heading)}\s*$(.*?)(?=^## |\Z)", text, re.M | re.S)
    return match.group(1) if match else ""


@pytest.mark.parametrize("lesson", [lesson for lesson in LESSONS if lesson.project], ids=lambda lesson: lesson.id)
def test_a_project_lesson_walks_through_the_design_cycle_in_both_languages(lesson):
    en = _section(lesson.readme("en"), "The design cycle")
    zh = _section(lesson.readme("zh"), "设计过程")
    assert all(f"**{stage}" in en for stage in STAGES_EN), f"{lesson.id}/README.md: design cycle stages"
    assert all(f"**{stage}" in zh for stage in STAGES_ZH), f"{lesson.id}/README.zh-CN.md: design cycle stages"
    positions = [en.index(f"**{stage}") for stage in STAGES_EN]
    assert positions == sorted(positions)                                   # in the cycle's order


def test_the_project_lessons_span_the_course():
    projects = [lesson for lesson in LESSONS if lesson.project]
    assert {t for lesson in projects for t in lesson.topics} >= {"output", "sensor", "iot", "robot", "ai"}
    assert any(lesson.robot is not None and lesson.duration_min > 45 for lesson in projects)   # the open project
