"""Essays (WIP: being written)."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


my_essay = essay_edit = essay_save = essay_submit = essay_restore = _todo
essay_list = essay_export = essay_reviewers = essay_review = essay_return = essay_extend = _todo
