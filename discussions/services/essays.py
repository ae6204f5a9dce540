"""Writes of reflection essays (学习心得体会): autosave, revisions, submission, return,
extension and review. Discussion records and ideas are written in services/records.py,
the forum in services/forum.py.

Each function is one transaction. The essay row is locked while it changes, so two tabs (or
two phones) of one trainee take turns; trainees never wait for each other.

An autosave carries two numbers from the browser: `revision`, the writer's clock (ms) when the
text changed, and `base`, the revision of the text that tab started from. The newer revision
wins; the other text is never dropped: an older save arriving late, or a stored text that the
winning tab never saw, is kept as an EssayRevision the trainee can restore.

Every review is kept (EssayReview); the essay's own changes of state (handed in, returned and
why, extended, graded) are kept by its history (django-simple-history), with who made them.
"""

import logging
import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from discussions.models import (
    Essay,
    EssayBand,
    EssayMatch,
    EssayReview,
    EssayReviewer,
    EssayRevision,
)
from discussions.tasks import essay_compare
from trainees.text import without_control

logger = logging.getLogger(__name__)

MAX_TITLE = 200
MAX_BODY = 50_000  # characters: ten times the longest essay a course asks for
# A checkpoint of the writing is kept at most this often (every autosave would be thousands).
CHECKPOINT_EVERY = timedelta(minutes=5)

# 字数: each CJK character counts one, and so does each word of another script (letters or
# digits, with an inner apostrophe: "don't"); punctuation and spaces do not count.
# static/js/essay.js counts the same way, so the page and the server agree.
CJK = (
    "\u2e80-\u2fdf"  # radicals
    "\u3040-\u30ff"  # kana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # ideographs
    "\uac00-\ud7af"  # hangul syllables
    "\U00020000-\U0003134f"  # ideographs, extensions B–H
)
COUNTED = re.compile(rf"[{CJK}]|[^\W_{CJK}]+(?:['’][^\W_{CJK}]+)*")


def essay_length(text):
    """The length of an essay as the course counts it (see COUNTED)."""
    return sum(1 for _match in COUNTED.finditer(text))


class EssayRefused(Exception):
    """An essay change the rules do not allow; the message says why."""


@dataclass(frozen=True)
class Saved:
    """What became of an autosave: "saved", or "stale" (a newer text is stored and stays)."""

    result: str
    essay: Essay


def essay_window(program):
    """(opens_at, deadline) of a program's essays: from the program's first morning unless
    the organizer set an opening time; no deadline unless set."""
    opens = program.essay_opens_at or timezone.make_aware(
        datetime.combine(program.start_date, time.min)
    )
    return opens, program.essay_deadline


def essay_deadline(essay, program):
    """The deadline that holds for this essay: the program's, or the trainee's extension."""
    _opens, deadline = essay_window(program)
    if deadline and essay.extended_until:
        return max(deadline, essay.extended_until)
    return deadline


def essay_for(*, enrollment):
    """The trainee's essay of this program, created empty on first use."""
    essay, _created = Essay.objects.get_or_create(enrollment=enrollment)
    return essay


def clean_text(text):
    """The text without control characters (pasted from Word now and then; XML, the .docx
    export, forbids them and PostgreSQL refuses NUL), with Unix line breaks."""
    return without_control(text.replace("\r\n", "\n"))


def check_text(title, body):
    if len(title) > MAX_TITLE:
        raise EssayRefused(_("The title is longer than %(max)s characters.") % {"max": MAX_TITLE})
    if len(body) > MAX_BODY:
        raise EssayRefused(_("The essay is longer than %(max)s characters.") % {"max": MAX_BODY})


def keep(essay, reason, *, title=None, body=None, revision=None, now=None):
    """Keep a version of the essay (by default its stored text) as an EssayRevision."""
    title = essay.title if title is None else title
    body = essay.body if body is None else body
    return EssayRevision.objects.create(
        essay=essay,
        title=title,
        body=body,
        reason=reason,
        revision=essay.revision if revision is None else revision,
        chars=essay_length(body),
        created_at=now or timezone.now(),
    )


def write(essay, *, title, body, revision, base, now):
    """Store a newer text on a locked essay, keeping what would otherwise be lost: the stored
    text if this tab never saw it, and a checkpoint every few minutes."""
    unseen = base != essay.revision and essay.body and (essay.title, essay.body) != (title, body)
    if unseen:
        keep(essay, EssayRevision.Reason.CONFLICT, now=now)
    essay.title, essay.body, essay.revision = title, body, revision
    essay.chars = essay_length(body)
    essay.updated_at = now
    Essay.objects.filter(pk=essay.pk).update(
        title=title, body=body, revision=revision, chars=essay.chars, updated_at=now
    )
    recent = EssayRevision.objects.filter(
        essay=essay, reason=EssayRevision.Reason.CHECKPOINT, created_at__gt=now - CHECKPOINT_EVERY
    )
    if body and not recent.exists():
        keep(essay, EssayRevision.Reason.CHECKPOINT, now=now)


@transaction.atomic
def essay_save(*, essay=None, enrollment=None, title, body, revision, base, now=None):
    """Autosave: store the text if it is newer than the stored one. A text that is not stored
    (older than the stored one, or sent to an essay already handed in) is kept as a version,
    never dropped: the result says "stale" or "locked". Refused before the program lets
    essays be written. The essay is `essay`, or `enrollment`'s (made on first use: the
    autosave reads it once, locked, not once to find it and again to lock it)."""
    now = now or timezone.now()
    title, body = clean_text(title), clean_text(body)
    check_text(title, body)
    locked = Essay.objects.select_for_update().select_related("enrollment__program")
    if essay is not None:
        essay = locked.get(pk=essay.pk)
    else:
        try:
            essay = locked.get(enrollment=enrollment)
        except Essay.DoesNotExist:
            essay = locked.get(pk=essay_for(enrollment=enrollment).pk)
    check_open(essay, now)
    if essay.locked or revision <= essay.revision:
        if (title, body) == (essay.title, essay.body):
            return Saved("locked" if essay.locked else "saved", essay)  # held already
        already = EssayRevision.objects.filter(
            essay=essay, revision=revision, title=title, body=body
        )
        if not already.exists():
            keep(
                essay,
                EssayRevision.Reason.CONFLICT,
                title=title,
                body=body,
                revision=revision,
                now=now,
            )
        return Saved("locked" if essay.locked else "stale", essay)
    write(essay, title=title, body=body, revision=revision, base=base, now=now)
    return Saved("saved", essay)


def check_open(essay, now):
    opens, _deadline = essay_window(essay.enrollment.program)
    if now < opens:
        raise EssayRefused(
            _("Essays can be written from %(time)s.")
            % {"time": date_format(timezone.localtime(opens), "DATETIME_FORMAT")}
        )


def check_writable(essay, now):
    if essay.locked:
        raise EssayRefused(_("The essay is handed in and can no longer change."))
    check_open(essay, now)


@transaction.atomic
def essay_submit(*, essay, now=None):
    """Hand the stored essay in (the page saves its text first): long enough and titled,
    before the deadline or the trainee's extension. Locks it; the similarity check runs
    after the commit."""
    now = now or timezone.now()
    essay = Essay.objects.select_for_update().select_related("enrollment__program").get(pk=essay.pk)
    program = essay.enrollment.program
    check_writable(essay, now)
    deadline = essay_deadline(essay, program)
    if deadline and now > deadline:
        raise EssayRefused(
            _("The deadline (%(time)s) has passed: ask the organizers for an extension.")
            % {"time": date_format(timezone.localtime(deadline), "DATETIME_FORMAT")}
        )
    if not essay.title.strip():
        raise EssayRefused(_("Give the essay a title."))
    if essay.chars < program.essay_min_chars:
        raise EssayRefused(
            _("The essay has %(chars)s characters; at least %(min)s are needed.")
            % {"chars": essay.chars, "min": program.essay_min_chars}
        )
    essay.status, essay.submitted_at = Essay.Status.SUBMITTED, now
    essay.save(update_fields=["status", "submitted_at", "updated_at"])
    keep(essay, EssayRevision.Reason.SUBMITTED, now=now)
    transaction.on_commit(lambda: compare_later(essay.pk))
    return essay


def compare_later(essay_id):
    """Send the similarity check to a worker. If the broker is down the submission stands:
    the periodic sweep (tasks.essays_compare_pending) compares it later."""
    try:
        essay_compare.delay(essay_id)
    except Exception:  # the broker's errors are many; none may undo a submission
        logger.warning("essay %s: similarity check not queued; the sweep will do it", essay_id)


@transaction.atomic
def essay_restore(*, essay, revision, now=None):
    """Put a kept version back as the essay's text; the text it replaces is kept too."""
    now = now or timezone.now()
    essay = Essay.objects.select_for_update().select_related("enrollment__program").get(pk=essay.pk)
    check_writable(essay, now)
    if revision.essay_id != essay.pk:
        raise EssayRefused(_("This version belongs to another essay."))
    keep(essay, EssayRevision.Reason.RESTORE, now=now)
    # Newer than any tab's text so far: a tab still open shows this text after its next save.
    number = max(essay.revision + 1, int(now.timestamp() * 1000))
    essay.title, essay.body, essay.revision = revision.title, revision.body, number
    essay.chars = essay_length(essay.body)
    essay.save(update_fields=["title", "body", "revision", "chars", "updated_at"])
    return essay


def by(essay, user):
    """Name who changes the essay, for its history (else the request's user, if any)."""
    if user is not None:
        essay._history_user = user
    return essay


@transaction.atomic
def essay_return(*, essay, comment, user=None, now=None):
    """Give a handed-in essay back for revision, saying why; the trainee may hand it in again
    (before the deadline or their extension)."""
    essay = by(Essay.objects.select_for_update().get(pk=essay.pk), user)
    if essay.status != Essay.Status.SUBMITTED:
        raise EssayRefused(_("Only an essay that has been handed in can be returned."))
    if not comment.strip():
        raise EssayRefused(_("Say what should be revised."))
    essay.status = Essay.Status.RETURNED
    essay.returned_comment, essay.returned_at = comment.strip(), now or timezone.now()
    # Reviewed and compared again when it is handed in again; its reviews stay in history.
    essay.grade, essay.excellent, essay.reviewed_at = "", False, None
    essay.signature = None
    essay.save(
        update_fields=[
            "status",
            "returned_comment",
            "returned_at",
            "grade",
            "excellent",
            "reviewed_at",
            "signature",
            "updated_at",
        ]
    )
    EssayMatch.objects.filter(Q(essay=essay) | Q(other=essay)).delete()
    # Out of the similarity index with its signature: no longer compared until handed in again.
    EssayBand.objects.filter(essay=essay).delete()
    return essay


@transaction.atomic
def essay_extend(*, enrollment, until, user=None, now=None):
    """Let one trainee hand in until `until`, past the program's deadline (None withdraws it)."""
    now = now or timezone.now()
    if until is not None and until <= now:
        raise EssayRefused(_("An extension must end in the future."))
    essay = Essay.objects.select_for_update().get(pk=essay_for(enrollment=enrollment).pk)
    by(essay, user)
    essay.extended_until = until
    essay.save(update_fields=["extended_until", "updated_at"])
    return essay


@transaction.atomic
def essay_review(*, essay, reviewer, grade, comment="", excellent=False, now=None):
    """Grade a handed-in essay (优秀, 良好, 合格, 不合格) with a comment, and mark it
    outstanding or not. Every review is kept; the latest is the essay's grade."""
    essay = Essay.objects.select_for_update().get(pk=essay.pk)
    if essay.status != Essay.Status.SUBMITTED:
        raise EssayRefused(_("Only an essay that has been handed in can be reviewed."))
    if grade not in EssayReview.Grade.values:
        raise EssayRefused(_("Choose a grade."))
    review = EssayReview.objects.create(
        essay=essay, reviewer=reviewer, grade=grade, comment=comment.strip(), excellent=excellent
    )
    by(essay, reviewer)
    essay.grade, essay.excellent = grade, excellent
    essay.reviewed_at = now or review.created_at
    essay.save(update_fields=["grade", "excellent", "reviewed_at", "updated_at"])
    return review


@transaction.atomic
def essay_reviewers_set(*, program, users):
    """The people besides the organizers who review this program's essays."""
    keep_ids = {user.pk for user in users}
    EssayReviewer.objects.filter(program=program).exclude(user_id__in=keep_ids).delete()
    have = set(EssayReviewer.objects.filter(program=program).values_list("user_id", flat=True))
    EssayReviewer.objects.bulk_create(
        EssayReviewer(program=program, user_id=pk) for pk in sorted(keep_ids - have)
    )
