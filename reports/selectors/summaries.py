"""Reading the dashboards' summaries (reports.summaries): each reader first refreshes
the programs whose summary is missing, waiting for a refresh (its pending key is in the cache),
or computed for another moment (an activity has ended since, or the reader asks about another
time); the others cost one query for all of them and one cache read."""

from django.core.cache import cache
from django.db.models import Sum

from reports.models import BranchSummary, ProgramSummary, UnitSummary
from reports.summaries import (
    FIGURES,
    branch_summaries_build,
    pending_key,
    summary_refresh,
    tree_digest,
)


def summaries_fresh(program_ids, now, branches=None):
    """Make the summaries of `program_ids` those of `now`, and with `branches` (the unit tree:
    unit_branches(None)) their branch rows those of that tree; returns the ids refreshed."""
    program_ids = list(program_ids)
    states = {
        pk: (valid_from, valid_until, branches_for)
        for pk, valid_from, valid_until, branches_for in ProgramSummary.objects.filter(
            program_id__in=program_ids
        ).values_list("program_id", "valid_from", "valid_until", "branches_for")
    }
    keys = {pending_key(pk): pk for pk in program_ids}
    pending = {keys[key] for key in cache.get_many(list(keys))} if keys else set()
    stale = [
        pk
        for pk in program_ids
        if pk in pending or pk not in states or not ProgramSummary.hold_at(*states[pk][:2], now)
    ]
    for program_id in stale:
        summary_refresh(program_id=program_id, now=now, branches=branches)
    if branches is not None:
        digest = tree_digest(branches)
        behind = [pk for pk, state in states.items() if state[2] != digest and pk not in stale]
        if behind:
            branch_summaries_build(behind, branches)
    return stale


def unit_sums(program_ids, unit_ids, by, figures=FIGURES):
    """{key: {figure: total}} of the UnitSummary rows of `program_ids` and `unit_ids` (None:
    every unit), grouped by `by` ("program_id" or "unit_id"): one query, of `figures` (a
    subset of FIGURES: what the reader adds up). Every unit's totals by program are the
    programs' own (ProgramSummary), one row each."""
    if by == "program_id" and unit_ids is None:
        return {
            row.pop("program_id"): row
            for row in ProgramSummary.objects.filter(program_id__in=list(program_ids)).values(
                "program_id", *figures
            )
        }
    rows = UnitSummary.objects.filter(program_id__in=list(program_ids))
    if unit_ids is not None:
        rows = rows.filter(unit_id__in=unit_ids)
    return {
        row.pop(by): row
        for row in rows.values(by).annotate(**{name: Sum(name) for name in figures}).order_by()
    }


def branch_row_sums(program_ids, figures=FIGURES):
    """{branch id: {figure: total}} of the branch rows of `program_ids` (every unit's trainees,
    each counted in his unit's branch; summaries_fresh with the tree made them those of the
    tree), of `figures`: one query, a few rows per program."""
    return {
        row.pop("branch_id"): row
        for row in BranchSummary.objects.filter(program_id__in=list(program_ids))
        .values("branch_id")
        .annotate(**{name: Sum(name) for name in figures})
        .order_by()
    }
