"""What the apps below reports say after a bulk write that signals do not see (bulk_create,
bulk_update, QuerySet.update): "the figures of these programs may have changed". The
dashboards' summaries (reports.summaries) listen, and refresh those programs after
commit; a save() or delete() of a model they sum is seen by their signals and needs no call.

Apps below reports must not import it (README, "Layout"): reports registers its listener in
AppConfig.ready(), as the history does (trainees.audit). A listener costs a cache.add per
program and no query, so a hot path may call it.
"""

LISTENERS = []


def listener_register(listener):
    """Add `listener(program ids)` (once: ready() may run again in tests)."""
    if listener not in LISTENERS:
        LISTENERS.append(listener)
    return listener


def programs_changed(program_ids):
    """Tell every listener that the figures of `program_ids` (None values skipped) may have
    changed, in this transaction."""
    program_ids = {pk for pk in program_ids if pk is not None}
    if program_ids:
        for listener in LISTENERS:
            listener(program_ids)
