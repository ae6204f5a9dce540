"""The chiefs' forum (所长论坛): the talks, and their slides served behind a permission check.
Who may do what: permissions.py.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import CreateView, UpdateView

from discussions.forms import ForumTalkForm
from discussions.permissions import forum_access
from discussions.selectors import forum as forum_selectors
from discussions.services import forum as forum_services
from trainees.uploads import protected_file


def forum(request, code):
    """The forum's talks in order, and where the forum is on the timetable."""
    access = forum_access(request.user, code)
    return render(
        request,
        "discussions/forum.html",
        {
            "program": access.program,
            "access": access,
            "talks": forum_selectors.forum_talks(access.program),
            "forum_activities": forum_selectors.forum_activities(access.program),
            "can_change": access.organizer,
        },
    )


class ForumTalkMixin:
    """Organizers' add and edit pages of one program's talks."""

    form_class = ForumTalkForm
    template_name = "discussions/forum_talk_form.html"

    def dispatch(self, request, *args, **kwargs):
        self.access = forum_access(request.user, kwargs["code"], change=True)
        self.program = self.access.program
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "program": self.program}

    def get_context_data(self, **kwargs):
        return super().get_context_data(program=self.program, access=self.access, **kwargs)

    def get_success_url(self):
        return reverse("discussions:forum", args=[self.program.code])


class ForumTalkCreateView(ForumTalkMixin, CreateView):
    def get_initial(self):
        return {"order": forum_selectors.forum_next_order(self.program)}

    def form_valid(self, form):
        talk = form.save(commit=False)
        talk.program = self.program
        self.object = forum_services.forum_talk_save(talk=talk)
        messages.success(self.request, _("“%(title)s” has been added.") % {"title": talk.title})
        return redirect(self.get_success_url())


class ForumTalkUpdateView(ForumTalkMixin, UpdateView):
    def get_object(self, queryset=None):
        talk = forum_selectors.forum_talk_of(self.program, self.kwargs["pk"])
        self.previous_slides = talk.slides.name  # the form replaces it before form_valid
        return talk

    def form_valid(self, form):
        self.object = forum_services.forum_talk_save(
            talk=form.save(commit=False), previous_slides=self.previous_slides
        )
        messages.success(
            self.request, _("“%(title)s” has been saved.") % {"title": self.object.title}
        )
        return redirect(self.get_success_url())


forum_talk_create = ForumTalkCreateView.as_view()
forum_talk_update = ForumTalkUpdateView.as_view()


@require_POST
def forum_talk_delete(request, code, pk):
    access = forum_access(request.user, code, change=True)
    talk = forum_selectors.forum_talk_of(access.program, pk)
    forum_services.forum_talk_delete(talk=talk)
    messages.success(request, _("“%(title)s” has been removed.") % {"title": talk.title})
    return redirect("discussions:forum", code=access.program.code)


def forum_slides(request, code, pk):
    """A talk's slides, to the program's trainees, organizers and leadership; to no one else.

    Files live outside the static root and are only ever served through this check.
    """
    access = forum_access(request.user, code)
    talk = forum_selectors.forum_talk_of(access.program, pk)
    if not talk.slides:
        raise Http404
    extension = talk.slides.name[talk.slides.name.rfind(".") :]
    return protected_file(talk.slides, f"{talk.presenter.trainee.name} {talk.title}{extension}")
