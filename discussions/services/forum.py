"""Writes of the chiefs' forum (所长论坛): its talks and their slides, keyword-only, one
transaction each. It is read in selectors/forum.py; who may change it is decided in
discussions/permissions.py.
"""

from django.db import transaction


@transaction.atomic
def forum_talk_save(*, talk, previous_slides=""):
    """Save a talk; slides it replaced or cleared are removed from storage once the save has
    committed."""
    talk.save()
    if previous_slides and previous_slides != talk.slides.name:
        storage = talk.slides.storage
        transaction.on_commit(lambda: storage.delete(previous_slides))
    return talk


@transaction.atomic
def forum_talk_delete(*, talk):
    """Remove a talk and, once that has committed, its slides."""
    slides = talk.slides
    talk.delete()
    if slides:
        transaction.on_commit(lambda: slides.storage.delete(slides.name))
