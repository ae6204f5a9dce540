"""The chiefs' forum (WIP: being written)."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


forum = forum_talk_create = forum_talk_update = forum_talk_delete = forum_slides = _todo
