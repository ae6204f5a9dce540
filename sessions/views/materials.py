"""Course materials: the program's list, attaching and removing files, and the download that
only the program's trainees, organizers and leadership get.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sessions.forms import MaterialForm
from sessions.models import Material
from sessions.permissions import may_read_materials
from sessions.selectors import materials as material_selectors
from sessions.services import materials as material_services
from trainees.permissions import may_change, program_for
from trainees.uploads import protected_file


def materials(request, code):
    """The program's materials: organizers attach and remove files, leadership reads."""
    program = program_for(request.user, code)
    can_change = may_change(request.user, program)
    form = None
    if can_change:
        form = MaterialForm(request.POST or None, request.FILES or None, program=program)
        if request.method == "POST" and form.is_valid():
            material = form.save(commit=False)
            material.program = program
            material.save()
            messages.success(request, _("“%(title)s” has been attached.") % {"title": material})
            return redirect("timetable:materials", code=program.code)
    elif request.method == "POST":
        raise PermissionDenied
    return render(
        request,
        "timetable/materials.html",
        {
            "program": program,
            "materials": material_selectors.materials_of(program),
            "form": form,
            "can_change": can_change,
        },
    )


@require_POST
def material_delete(request, code, pk):
    program = program_for(request.user, code, change=True)
    material = get_object_or_404(Material, program=program, pk=pk)
    material_services.material_delete(material=material)
    messages.success(request, _("“%(title)s” has been removed.") % {"title": material.title})
    return redirect("timetable:materials", code=program.code)


def material_download(request, code, pk):
    """A material, to the program's trainees, organizers and leadership; to no one else.

    Files live outside the static root and are only ever served through this check.
    """
    material = get_object_or_404(Material.objects.select_related("program"), pk=pk)
    if material.program.code != code or not may_read_materials(request.user, material.program):
        raise Http404
    return protected_file(material.file, download_name(material))


def download_name(material):
    extension = material.file.name[material.file.name.rfind(".") :]
    return f"{material.title}{extension}"
