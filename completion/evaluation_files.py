"""The course evaluation (评教) as files: a program's results and the speakers' page as .xlsx,
written by trainees.workbooks, as every export is. They hold what the pages show and no more:
no activity with too few answers has figures or comments, and no row says who answered."""

from django.utils import timezone
from django.utils.translation import gettext as _

from trainees import workbooks


def when(activity):
    return timezone.localtime(activity.starts_at).strftime("%Y-%m-%d %H:%M")


def speaker_names(activity):
    return "、".join(speaker.name for speaker in activity.speakers.all())


def too_few(threshold):
    return _("Fewer than %(count)s answers: not shown yet") % {"count": threshold}


def results_xlsx(program, results):
    """`results` (completion.selectors.evaluation.ProgramResults, with comments) as .xlsx:
    the activities' means, the distributions, the comments (sorted), the speakers' means."""
    from openpyxl.styles import Font

    bold = Font(bold=True)
    texts = [item.text for item in results.items]
    book = workbooks.workbook()

    sheet = workbooks.sheet(book, _("Activities"))
    sheet.freeze_panes = "A2"
    heads = [_("Starts at"), _("Title"), _("Kind"), _("Speakers"), _("Attended"), _("Answers")]
    workbooks.append(sheet, [*heads, *texts], font=bold)
    for result in results.activities:
        activity = result.activity
        line = [
            when(activity),
            activity.title,
            activity.get_kind_display(),
            speaker_names(activity),
            result.attended,
            result.answers,
        ]
        if result.shown:
            line += [item.mean for item in result.items]
        else:
            line.append(too_few(results.min_answers))
        workbooks.append(sheet, line)

    sheet = workbooks.sheet(book, _("Distribution"))
    sheet.freeze_panes = "A2"
    workbooks.append(
        sheet, [_("Starts at"), _("Title"), _("Item"), *map(str, range(1, 6))], font=bold
    )
    for result in results.activities:
        for item in result.items:
            workbooks.append(
                sheet, [when(result.activity), result.activity.title, item.text, *item.counts]
            )

    sheet = workbooks.sheet(book, _("Comments"))
    sheet.freeze_panes = "A2"
    workbooks.append(sheet, [_("Starts at"), _("Title"), _("Comment")], font=bold)
    for result in results.activities:
        for comment in result.comments:
            workbooks.append(sheet, [when(result.activity), result.activity.title, comment])

    sheet = workbooks.sheet(book, _("Speakers"))
    sheet.freeze_panes = "A2"
    heads = [_("Speaker"), _("Position"), _("Unit"), _("Activities counted"), _("Answers")]
    workbooks.append(sheet, [*heads, *texts], font=bold)
    for result in results.speakers:
        speaker = result.speaker
        line = [speaker.name, speaker.title, speaker.organization, result.activities]
        line += [result.answers, *(item.mean for item in result.items)]
        workbooks.append(sheet, line)
    return workbooks.content(book)


def speakers_xlsx(speakers):
    """The speakers' page (completion.selectors.evaluation.Speakers) as .xlsx: each speaker's
    means by year, and their activities across programs."""
    from openpyxl.styles import Font

    bold = Font(bold=True)
    book = workbooks.workbook()

    sheet = workbooks.sheet(book, _("By year"))
    sheet.freeze_panes = "A2"
    heads = [_("Speaker"), _("Position"), _("Unit"), _("Year"), _("Activities counted")]
    workbooks.append(sheet, [*heads, _("Answers"), *speakers.columns, _("All items")], font=bold)
    for ratings in speakers.speakers:
        speaker = ratings.speaker
        for year in ratings.years:
            line = [speaker.name, speaker.title, speaker.organization, year.year, year.activities]
            workbooks.append(sheet, [*line, year.answers, *year.means, year.overall])

    sheet = workbooks.sheet(book, _("Activities"))
    sheet.freeze_panes = "A2"
    heads = [_("Speaker"), _("Program"), _("Starts at"), _("Title"), _("Kind"), _("Answers")]
    workbooks.append(sheet, [*heads, *speakers.columns], font=bold)
    for ratings in speakers.speakers:
        for taught in ratings.activities:
            activity = taught.activity
            line = [
                ratings.speaker.name,
                activity.program.code,
                when(activity),
                activity.title,
                activity.get_kind_display(),
                taught.answers,
            ]
            if taught.shown:
                line += [value for _column, value in taught.means]
            else:
                line.append(too_few(speakers.min_answers))
            workbooks.append(sheet, line)
    return workbooks.content(book)
