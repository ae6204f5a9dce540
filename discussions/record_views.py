"""Discussion records and ideas (WIP: being written)."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


my_discussions = record_list = record_detail = record_recorder = record_share = _todo
idea_add = idea_delete = idea_star = idea_list = idea_export = _todo
