"""Writes of discussion records (分组讨论记录) and their ideas (金点子): keyword-only, one
transaction each. They are read in selectors/records.py; who may write which record is decided
in discussions/permissions.py.
"""

import hashlib

from django.db import transaction
from django.utils import timezone

from discussions.models import DiscussionRecord, Idea


class SummaryConflict(Exception):
    """The summary was changed by someone else since the writer opened it."""

    def __init__(self, current):
        super().__init__(current)
        self.current = current


def summary_fingerprint(summary):
    """A short digest of a summary, carried by the form to notice a change made meanwhile."""
    return hashlib.sha256(summary.encode()).hexdigest()[:16]


@transaction.atomic
def record_summary_save(*, activity, group, summary, base=None):
    """Save the summary of a group's record, creating the record on its first save.

    `base` is the fingerprint of the text the writer started from: if the recorder and an
    organizer write at once, the later save does not silently replace the earlier one; it
    raises SummaryConflict with the text stored now, and nothing is saved.
    """
    record, _created = DiscussionRecord.objects.get_or_create(activity=activity, group=group)
    record = DiscussionRecord.objects.select_for_update().get(pk=record.pk)
    if base and summary_fingerprint(record.summary) != base and record.summary != summary:
        raise SummaryConflict(record.summary)
    record.summary = summary
    record.save(update_fields=["summary", "updated_at"])
    return record


@transaction.atomic
def record_recorder_set(*, activity, group, recorder):
    """Name the recorder of a group's record (None: nobody), creating the record if needed."""
    record, _created = DiscussionRecord.objects.update_or_create(
        activity=activity, group=group, defaults={"recorder": recorder}
    )
    return record


@transaction.atomic
def record_share(*, record, shared):
    """Share a record with the whole class (keeping the time it was first shared), or take it
    back to its group. Idempotent: sharing twice keeps the first time."""
    if shared:
        DiscussionRecord.objects.filter(pk=record.pk, shared_at__isnull=True).update(
            shared_at=timezone.now()
        )
    else:
        DiscussionRecord.objects.filter(pk=record.pk).update(shared_at=None)
    record.shared_at = DiscussionRecord.objects.values_list("shared_at", flat=True).get(
        pk=record.pk
    )
    return record


@transaction.atomic
def idea_add(*, activity, group, text, author=None):
    """Add an idea to a group's record, creating the record if needed."""
    record, _created = DiscussionRecord.objects.get_or_create(activity=activity, group=group)
    return Idea.objects.create(record=record, text=text, author=author)


@transaction.atomic
def idea_delete(*, idea):
    """Remove an idea."""
    idea.delete()


@transaction.atomic
def idea_star(*, idea, starred):
    """Star an idea (or take the star off). The form says which, so two organizers tapping at
    once agree instead of cancelling each other out."""
    Idea.objects.filter(pk=idea.pk).update(starred=starred)
    idea.starred = starred
    return idea
