from django.shortcuts import render

from trainees import selectors
from trainees.roles import ORGANIZER, role_required


@role_required(ORGANIZER)
def program_list(request):
    """The organizer's start page: their programs. Creating and importing come with #3."""
    programs = selectors.program_list_for(request.user)
    return render(request, "trainees/program_list.html", {"programs": programs})
