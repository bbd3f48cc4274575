"""The one-laptop classroom: embedded broker + collector + virtual kits (``makerkit classroom up``)."""

from .room import Classroom, ClassroomSummary, classroom_up

__all__ = ["Classroom", "ClassroomSummary", "classroom_up"]
