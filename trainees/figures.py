"""Figures of a trainee in a program that apps above this one compute, for the pages of the
apps below them: the study hours (学时) of completion, shown as a column of the roster (名册)
and on the trainee's day (sessions: 我的一天).

This app must not import them (imports flow downward; README, "Layout"): each registers a
Figure in its AppConfig.ready(), as the sources of the history do (trainees.audit). A
figure's `values(program, enrollment_ids)` answers {enrollment id: value} in a fixed number
of queries, so that a page costs the same for one trainee or 220.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    key: str  # stable, for a test or a browser: "hours"
    label: str  # what the column or the line is called (a lazy translation)
    values: Callable  # (program, enrollment ids) → {enrollment id: value}


FIGURES = []


def figure_register(figure):
    """Add a figure (once: ready() may run again in tests)."""
    if all(registered.key != figure.key for registered in FIGURES):
        FIGURES.append(figure)
    return figure


def figures_of(program, enrollment_ids):
    """[(figure, {enrollment id: value})] of every registered figure, for these enrollments
    of `program`."""
    enrollment_ids = list(enrollment_ids)
    return [(figure, figure.values(program, enrollment_ids)) for figure in FIGURES]
