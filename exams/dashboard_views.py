"""The leadership dashboards (exams.dashboards): the bureau across programs and years, a
program at a glance, and the drill-down from a unit to its trainees and from a trainee to their
whole record. Who reads what is trainees.permissions.dashboard_scope: organizers their
programs, the city bureau's leadership everything, a branch's leadership its own units."""

import io

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from exams import dashboards
from exams.report_files import XLSX, file_name
from exams.reports import program_report
from trainees.models import Enrollment, Program, Trainee, Unit
from trainees.permissions import dashboard_scope


def digits(value):
    """A query parameter that must be a whole number: the number, or 404."""
    if value and not (value.isascii() and value.isdigit()):
        raise Http404
    return int(value) if value else None


def narrowed(unit_ids, unit):
    """The unit ids of `unit`'s subtree within `unit_ids` (None: every unit); 404 if `unit`
    is outside them."""
    if unit is None:
        return unit_ids
    if unit_ids is not None and unit.pk not in unit_ids:
        raise Http404
    return set(unit.descendant_ids()) if unit_ids is None else unit_ids & unit.descendant_ids()


def export(table, title):
    """A dashboard table as an .xlsx workbook: the same rows the page shows."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = table.title[:31]
    sheet.append([title])
    sheet.append([table.title])
    sheet.append([heading for heading, _kind in table.columns])
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append([float(v) if hasattr(v, "as_tuple") else v for v in row])
    sheet.freeze_panes = "A4"
    out = io.BytesIO()
    workbook.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    name = file_name(f"{title} {table.title}")
    response["Content-Disposition"] = content_disposition_header(True, f"{name}.xlsx")
    return response


def export_or_render(request, tables, title, template, context):
    key = request.GET.get("export")
    if key:
        table = next((t for t in tables if t.key == key), None)
        if table is None:
            raise Http404
        return export(table, title)
    return render(request, template, context)


def query_without(request, *names):
    """The page's query string without `names` (for the export links)."""
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def dashboard(request):
    """The bureau across programs and years, filtered by year, kind and unit."""
    programs, unit_ids = dashboard_scope(request.user)
    year, kind = digits(request.GET.get("year", "")), request.GET.get("kind", "")
    unit_pk = digits(request.GET.get("unit", ""))
    unit = get_object_or_404(Unit, pk=unit_pk) if unit_pk else None
    counted = narrowed(unit_ids, unit)
    years = sorted({d.year for d in programs.values_list("start_date", flat=True)}, reverse=True)
    chosen = programs
    if year:
        chosen = chosen.filter(start_date__year=year)
    if kind:
        if kind not in Program.Kind.values:
            raise Http404
        chosen = chosen.filter(kind=kind)
    if counted is not None:
        chosen = chosen.filter(
            pk__in=Enrollment.objects.filter(trainee__unit_id__in=counted).values("program_id")
        )
    board = dashboards.bureau_dashboard(
        chosen,
        unit_ids=counted,
        unit_link=lambda pk: reverse("exams:dashboard-unit", args=[pk]),
        trainee_link=lambda pk: reverse("exams:dashboard-trainee", args=[pk]),
    )
    board.tables[0].links = [
        reverse("exams:dashboard-program", args=[program.code]) for program in board.programs
    ]
    units = Unit.objects.filter(kind__in=[Unit.Kind.BUREAU, Unit.Kind.BRANCH]).order_by("name")
    if unit_ids is not None:
        units = units.filter(pk__in=unit_ids)
    title = _("Training at a glance")
    return export_or_render(
        request,
        board.tables,
        title,
        "exams/dashboard.html",
        {
            "board": board,
            "title": title,
            "years": years,
            "kinds": Program.Kind.choices,
            "units": units,
            "filters": {"year": year, "kind": kind, "unit": unit},
            "query": query_without(request, "export"),
        },
    )


def program_dashboard(request, code):
    """One program at a glance: the score report's figures as charts and tables."""
    programs, unit_ids = dashboard_scope(request.user)
    program = get_object_or_404(programs, code=code)
    unit_pk = digits(request.GET.get("unit", ""))
    unit = get_object_or_404(Unit, pk=unit_pk) if unit_pk else None
    if unit is None and unit_ids is not None:
        unit = request.user.leader.unit  # a branch's leadership: its units only
    narrowed(unit_ids, unit)
    board = dashboards.program_dashboard(program, scope_unit=unit)
    tables = {table.key: table for table in board.tables}
    tables["units"].links = [
        reverse("exams:dashboard-unit", args=[summary.key]) for summary in board.report.units
    ]
    tables["gains"].links = [
        reverse("exams:dashboard-trainee", args=[trainee_id]) for trainee_id in board.gain_trainees
    ]
    title = program.title if unit is None else f"{program.title}（{unit.name}）"
    return export_or_render(
        request,
        board.tables,
        title,
        "exams/program_dashboard.html",
        {
            "program": program,
            "board": board,
            "title": title,
            "unit": unit,
            "query": query_without(request, "export"),
        },
    )


def unit_detail(request, pk):
    """Drill-down: the trainees of a unit and of the units under it, across the programs the
    reader sees, each with their number of programs and latest figures."""
    programs, unit_ids = dashboard_scope(request.user)
    unit = get_object_or_404(Unit, pk=pk)
    counted = narrowed(unit_ids, unit)
    enrollments = Enrollment.objects.filter(
        program__in=programs, status=Enrollment.Status.ACTIVE, trainee__unit_id__in=counted
    )
    trainees = (
        Trainee.objects.filter(enrollments__in=enrollments)
        .annotate(
            programs=Count("enrollments", filter=Q(enrollments__in=enrollments), distinct=True)
        )
        .select_related("unit")
        .order_by("unit__name", "police_id")
    )
    page = Paginator(trainees, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "exams/dashboard_unit.html",
        {"unit": unit, "page": page, "records": dashboards.trainee_lines(list(page), programs)},
    )


def trainee_detail(request, pk):
    """Drill-down: a trainee's whole record in the programs the reader sees: exams,
    attendance and essay, program by program."""
    programs, unit_ids = dashboard_scope(request.user)
    trainee = get_object_or_404(Trainee.objects.select_related("unit"), pk=pk)
    if unit_ids is not None and trainee.unit_id not in unit_ids:
        raise Http404
    enrollments = list(
        Enrollment.objects.filter(program__in=programs, trainee=trainee)
        .select_related("program")
        .order_by("program__start_date")
    )
    if not enrollments:
        raise Http404
    rows = []
    for enrollment in enrollments:
        report = program_report(enrollment.program)
        row = next((r for r in report.rows if r.enrollment.pk == enrollment.pk), None)
        rows.append((enrollment, row, report))
    return render(request, "exams/dashboard_trainee.html", {"trainee": trainee, "rows": rows})
