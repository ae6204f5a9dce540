"""The leadership dashboards: the bureau across programs and years, a program at a glance,
and the drill-down from a unit to its trainees and from a trainee to their whole record.
Who reads what is trainees.permissions.dashboard_scope (reports.permissions)."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from reports import files
from reports.permissions import narrowed, trainee_readable
from reports.selectors import bureau_dashboard, drilldown, program_dashboard
from reports.selectors.report import report_units
from trainees.downloads import XLSX, attachment
from trainees.models import Program, Trainee, Unit
from trainees.permissions import dashboard_bound, dashboard_scope, unit_hidden
from trainees.roles import user_roles
from trainees.text import whole_number


def digits(value):
    """A query parameter that must be a whole number: the number, or 404."""
    if not value:
        return None
    if (number := whole_number(value)) is None:
        raise Http404
    return number


def export_or_render(request, tables, title, template, context):
    """The page, or with ?export=<table> that table as an .xlsx workbook."""
    key = request.GET.get("export")
    if key:
        table = next((t for t in tables if t.key == key), None)
        if table is None:
            raise Http404
        return attachment(files.table_xlsx(table, title), XLSX, f"{title} {table.title}.xlsx")
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
    if kind and kind not in Program.Kind.values:
        raise Http404
    unit_pk = digits(request.GET.get("unit", ""))
    unit = get_object_or_404(Unit, pk=unit_pk) if unit_pk else None
    counted = narrowed(unit_ids, unit)
    # A leader's programs are every program his units' trainees attended (dashboard_scope), and
    # so are everyone's for a superuser; an organizer's are his own.
    leads = request.user.is_superuser or user_roles(request.user).leadership
    if unit is not None and unit_hidden(request.user, unit):
        raise Http404
    # An organizer with a unit (教务所属单位) is offered the units under it only.
    bound = dashboard_bound(request.user)
    chosen = bureau_dashboard.programs_chosen(programs, year=year, kind=kind, unit_ids=counted)
    board = bureau_dashboard.bureau_dashboard(
        chosen,
        unit_ids=counted,
        complete=leads and not year and not kind,
        unit_link=lambda pk: reverse("reports:dashboard-unit", args=[pk]),
        trainee_link=lambda pk: reverse("reports:dashboard-trainee", args=[pk]),
    )
    board.tables[0].links = [
        reverse("reports:dashboard-program", args=[program.code])
        for program in board.programs[-bureau_dashboard.PROGRAMS_SHOWN :]
    ]
    title = _("Training at a glance")
    return export_or_render(
        request,
        board.tables,
        title,
        "reports/dashboard.html",
        {
            "board": board,
            "title": title,
            "years": bureau_dashboard.program_years(programs),
            "kinds": Program.Kind.choices,
            "units": bureau_dashboard.filter_units(bound.unit_ids if bound else unit_ids),
            "filters": {"year": year, "kind": kind, "unit": unit},
            "query": query_without(request, "export"),
        },
    )


def program_dashboard_page(request, code):
    """One program at a glance: the score report's figures as charts and tables."""
    programs, unit_ids = dashboard_scope(request.user)
    program = get_object_or_404(programs, code=code)
    unit_pk = digits(request.GET.get("unit", ""))
    # As the score report: a unit without a trainee of the program under it is a 404.
    unit = get_object_or_404(report_units(program), pk=unit_pk) if unit_pk else None
    if unit is None and unit_ids is not None:
        unit = request.user.leader.unit  # a branch's leadership: its units only
    narrowed(unit_ids, unit)
    board = program_dashboard.program_dashboard(program, scope_unit=unit)
    tables = {table.key: table for table in board.tables}
    tables["units"].links = [
        reverse("reports:dashboard-unit", args=[summary.key]) for summary in board.report.units
    ]
    tables["gains"].links = [
        reverse("reports:dashboard-trainee", args=[trainee_id])
        for trainee_id in board.gain_trainees
    ]
    title = program.title if unit is None else f"{program.title}（{unit.name}）"
    return export_or_render(
        request,
        board.tables,
        title,
        "reports/program_dashboard.html",
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
    if unit_hidden(request.user, unit):
        raise Http404
    page = Paginator(drilldown.unit_trainees(programs, counted), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "reports/dashboard_unit.html",
        {"unit": unit, "page": page, "records": drilldown.trainee_lines(list(page), programs)},
    )


def trainee_detail(request, pk):
    """Drill-down: a trainee's whole record in the programs the reader sees: exams,
    attendance and essay, program by program."""
    programs, unit_ids = dashboard_scope(request.user)
    trainee = get_object_or_404(Trainee.objects.select_related("unit"), pk=pk)
    trainee_readable(trainee, unit_ids)
    # A leader below the top counts its own units' trainees only, in the class's figures too:
    # the whole class's mean, beside this trainee's own figure, gives away the others' (a
    # province-wide class holds every city's chiefs; with two, the other's exactly).
    scope_unit = request.user.leader.unit if unit_ids is not None else None
    rows = drilldown.trainee_record(trainee, programs, scope_unit=scope_unit)
    if not rows:
        raise Http404
    return render(request, "reports/dashboard_trainee.html", {"trainee": trainee, "rows": rows})
