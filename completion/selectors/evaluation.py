"""Reads of the course evaluation (评教): what a trainee may evaluate, and the results.

Results (the mean of each item, the distribution of the scores 1–5, the comments) are shown
for an activity only once `min_answers()` trainees have answered it; a speaker's means pool
the answers of those of their activities only. Fewer answers would let a reader who knows who
attended guess who said what. Comments are given sorted, never in the order they came in.

Each read is a fixed number of queries, whatever the number of activities, answers and
speakers.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from completion import evaluation as rules
from completion.models import Evaluation, EvaluationItem, EvaluationReceipt, EvaluationScore
from sessions.models import Activity, Attendance, Speaker
from trainees.models import Enrollment

SCORES = range(1, 6)
TWO_DECIMALS = Decimal("0.01")


def min_answers():
    """How many answers an activity needs before its results are shown (at least 1)."""
    return max(1, settings.EVALUATION_MIN_ANSWERS)


def items_locked(program):
    """Whether the program's items are fixed: a trainee has answered its form."""
    return Evaluation.objects.filter(activity__program=program).exists()


# --- the trainee's side ---------------------------------------------------------------------


def my_enrollment(user, activity):
    """The user's active enrollment in the program of `activity`, if the activity is theirs
    (the whole class's, or their group's); else None."""
    enrollment = (
        Enrollment.objects.filter(
            trainee__user=user, program_id=activity.program_id, status=Enrollment.Status.ACTIVE
        )
        .select_related("program")
        .first()
    )
    if enrollment is None or activity.group_id not in (None, enrollment.group_id):
        return None
    return enrollment


def roll_call_status(activity, enrollment):
    """The trainee's Attendance status for the activity, None without a record."""
    return (
        Attendance.objects.filter(activity=activity, enrollment=enrollment)
        .values_list("status", flat=True)
        .first()
    )


def answer_refusal(activity, enrollment, now=None):
    """Why the trainee may not answer about `activity` now, or None: the form's first check
    (completion.services.evaluation.evaluation_submit checks again on the answer)."""
    if EvaluationReceipt.objects.filter(activity=activity, enrollment=enrollment).exists():
        return _("You have already evaluated this activity.")
    return rules.refusal(
        activity,
        status=roll_call_status(activity, enrollment),
        rules=rules.evaluation_rules(activity.program),
        now=now or timezone.now(),
    )


@dataclass(frozen=True)
class Waiting:
    """An activity the trainee may evaluate, and until when."""

    activity: Activity
    deadline: object


def waiting_for(user, now=None):
    """What the trainee may evaluate now, the one closing first first: two queries."""
    now = now or timezone.now()
    receipt = EvaluationReceipt.objects.filter(
        activity=OuterRef("activity"), enrollment=OuterRef("enrollment")
    )
    attendances = (
        Attendance.objects.filter(
            enrollment__trainee__user=user,
            enrollment__status=Enrollment.Status.ACTIVE,
            status__in=Attendance.ATTENDED,
            activity__ends_at__lte=now,
        )
        .annotate(answered=Exists(receipt))
        .filter(answered=False)
        .select_related("activity__program__closing", "activity__venue")
        .prefetch_related(Prefetch("activity__speakers", queryset=Speaker.objects.order_by("name")))
    )
    waiting = []
    for attendance in attendances:
        activity = attendance.activity
        program_rules = rules.evaluation_rules(activity.program)
        if rules.refusal(activity, status=attendance.status, rules=program_rules, now=now):
            continue
        waiting.append(Waiting(activity, rules.deadline(activity, program_rules)))
    return sorted(waiting, key=lambda entry: (entry.deadline, entry.activity.pk))


def to_evaluate(activities, enrollment, now=None):
    """The ids of those `activities` (of one program, read with
    sessions.selectors.timetable.with_my_state) that the trainee may evaluate now: one query,
    none when no activity has ended that they attended."""
    now = now or timezone.now()
    ended = {
        activity.pk: activity
        for activity in activities
        if activity.ends_at <= now and activity.my_status in Attendance.ATTENDED
    }
    if not ended:
        return set()
    receipt = EvaluationReceipt.objects.filter(activity=OuterRef("pk"), enrollment=enrollment)
    rows = (
        Activity.objects.filter(pk__in=ended)
        .annotate(answered=Exists(receipt))
        .values_list(
            "pk",
            "answered",
            "program__closing__evaluated_kinds",
            "program__closing__evaluation_days",
        )
    )
    found = set()
    for pk, answered, kinds, days in rows:
        activity = ended[pk]
        program_rules = rules.Rules.of(kinds, days)
        refused = rules.refusal(activity, status=activity.my_status, rules=program_rules, now=now)
        if not answered and not refused:
            found.add(pk)
    return found


# --- results --------------------------------------------------------------------------------


def mean(counts):
    """The mean of the scores counted in `counts` ({score: n}) to two decimals; None if none."""
    total = sum(counts.values())
    if not total:
        return None
    value = Decimal(sum(score * n for score, n in counts.items())) / Decimal(total)
    return value.quantize(TWO_DECIMALS, ROUND_HALF_UP)


@dataclass
class ItemResult:
    """One item's mean and its distribution: `counts` lists how many gave 1, 2, 3, 4, 5."""

    text: str
    mean: Decimal | None
    counts: list

    @classmethod
    def of(cls, text, tally):
        return cls(text, mean(tally), [tally.get(score, 0) for score in SCORES])

    @property
    def answers(self):
        return sum(self.counts)

    def bars(self):
        """(score, count, width: the share of answers in steps of 5 %) for the page's bars."""
        total = self.answers or 1
        return [
            (score, count, round(count * 20 / total) * 5)
            for score, count in zip(SCORES, self.counts, strict=True)
        ]


@dataclass
class ActivityResult:
    """An activity's answers: `shown` once there are enough, and only then its items (and
    comments, where asked for)."""

    activity: Activity
    answers: int
    attended: int
    shown: bool
    items: list = field(default_factory=list)
    comments: list = field(default_factory=list)


@dataclass
class SpeakerResult:
    """A speaker's means in a program, over their activities with enough answers."""

    speaker: Speaker
    activities: int  # with enough answers: those counted
    answers: int
    items: list


@dataclass
class ProgramResults:
    items: list  # the program's EvaluationItems
    activities: list  # ActivityResult
    speakers: list  # SpeakerResult
    min_answers: int


def tallies(evaluations):
    """{activity id: {item id: Counter(score: n)}} of these Evaluations: one query."""
    found = defaultdict(lambda: defaultdict(Counter))
    rows = (
        EvaluationScore.objects.filter(evaluation__in=evaluations)
        .values_list("evaluation__activity_id", "item_id", "score")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for activity_id, item_id, score, n in rows:
        found[activity_id][item_id][score] += n
    return found


def answer_counts(evaluations):
    """{activity id: the number of answers}: one query."""
    rows = evaluations.values_list("activity_id").annotate(n=Count("pk")).order_by()
    return dict(rows)


def attended_counts(activities):
    """{activity id: how many attended it}: one query."""
    rows = (
        Attendance.objects.filter(activity__in=activities, status__in=Attendance.ATTENDED)
        .values_list("activity_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return dict(rows)


def sorted_comments(evaluations):
    """{activity id: its comments, sorted}: not the order they came in, which would follow the
    order in which the trainees answered. One query."""
    found = defaultdict(list)
    for activity_id, comment in evaluations.exclude(comment="").values_list(
        "activity_id", "comment"
    ):
        found[activity_id].append(comment)
    return {activity_id: sorted(comments) for activity_id, comments in found.items()}


def evaluated_activities(program, now=None):
    """The program's ended activities of the kinds it evaluates, and any other that was
    evaluated (its kind changed since), with their speakers: three queries."""
    kinds = rules.evaluated_kinds(program)
    answered = Evaluation.objects.filter(activity__program=program).values("activity_id")
    return (
        Activity.objects.filter(program=program)
        .filter(Q(kind__in=kinds, ends_at__lte=now or timezone.now()) | Q(pk__in=answered))
        .select_related("group")
        .prefetch_related(Prefetch("speakers", queryset=Speaker.objects.order_by("name")))
        .order_by("starts_at", "group__number")
    )


def activity_results(activities, items, *, comments=False):
    """An ActivityResult of each of `activities` (a queryset of one program's), the items'
    results and (with `comments`) the comments only of those with enough answers."""
    threshold = min_answers()
    evaluations = Evaluation.objects.filter(activity__in=activities)
    counts = answer_counts(evaluations)
    attended = attended_counts(activities)
    tally = tallies(evaluations)
    texts = sorted_comments(evaluations) if comments else {}
    results = []
    for activity in activities:
        answers = counts.get(activity.pk, 0)
        result = ActivityResult(
            activity, answers, attended.get(activity.pk, 0), shown=answers >= threshold
        )
        if result.shown:
            result.items = [ItemResult.of(item.text, tally[activity.pk][item.pk]) for item in items]
            result.comments = texts.get(activity.pk, [])
        results.append(result)
    return results


def speaker_results(results, items):
    """Each speaker of the program's activities, with the pooled means of their activities
    that have enough answers (the others do not count)."""
    speakers = {}
    for result in results:
        for speaker in result.activity.speakers.all():
            speakers.setdefault(speaker.pk, (speaker, []))[1].append(result)
    found = []
    for speaker, own in sorted(speakers.values(), key=lambda entry: entry[0].name):
        counted = [result for result in own if result.shown]
        pooled = []
        for index, item in enumerate(items):
            tally = Counter()
            for result in counted:
                tally.update(dict(zip(SCORES, result.items[index].counts, strict=True)))
            pooled.append(ItemResult.of(item.text, tally))
        found.append(
            SpeakerResult(
                speaker,
                activities=len(counted),
                answers=sum(result.answers for result in counted),
                items=pooled,
            )
        )
    return found


def program_results(program, *, comments=False):
    """The program's results: each evaluated activity's, and each speaker's."""
    items = list(EvaluationItem.objects.filter(program=program))
    activities = activity_results(evaluated_activities(program), items, comments=comments)
    return ProgramResults(items, activities, speaker_results(activities, items), min_answers())


def one_activity_results(activity):
    """The results of one activity, with its comments."""
    items = list(EvaluationItem.objects.filter(program_id=activity.program_id))
    activities = Activity.objects.filter(pk=activity.pk).prefetch_related(
        Prefetch("speakers", queryset=Speaker.objects.order_by("name"))
    )
    return activity_results(activities, items, comments=True)[0]


# --- the speakers (师资) --------------------------------------------------------------------


@dataclass
class SpeakerActivity:
    """One activity of a speaker: its answers, and once there are enough, its mean in each
    column: [(column, mean or None)]."""

    activity: Activity
    answers: int
    shown: bool
    means: list


@dataclass
class SpeakerYear:
    """A speaker's year: the activities with enough answers, their answers, the pooled mean
    of each column and of every score."""

    year: int
    activities: int
    answers: int
    means: list
    overall: Decimal | None


@dataclass
class SpeakerRatings:
    speaker: Speaker
    years: list  # SpeakerYear, the latest first
    activities: list  # SpeakerActivity, the latest first


@dataclass
class Speakers:
    columns: list  # item texts: a column pools the items of that text across programs
    speakers: list  # SpeakerRatings
    min_answers: int


def speakers_of(programs, *, query=""):
    """Each speaker of an evaluated activity of `programs`, with those activities (across
    programs and years) and their means by year: four queries."""
    threshold = min_answers()
    speakers = Speaker.objects.filter(activities__program__in=programs)
    if query:
        speakers = speakers.filter(
            Q(name__icontains=query) | Q(organization__icontains=query) | Q(title__icontains=query)
        )
    speakers = (
        Speaker.objects.filter(pk__in=speakers.values("pk"))
        .order_by("name", "pk")
        .prefetch_related(
            Prefetch(
                "activities",
                queryset=Activity.objects.filter(program__in=programs)
                .select_related("program__closing")
                .order_by("-starts_at"),
                to_attr="taught",
            )
        )
    )
    evaluations = Evaluation.objects.filter(activity__program__in=programs)
    counts = answer_counts(evaluations)
    by_text = defaultdict(lambda: defaultdict(Counter))  # activity → text → scores
    positions = {}
    rows = (
        EvaluationScore.objects.filter(evaluation__in=evaluations)
        .values_list("evaluation__activity_id", "item__text", "item__position", "score")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for activity_id, text, position, score, n in rows:
        by_text[activity_id][text][score] += n
        positions[text] = min(position, positions.get(text, position))
    columns = sorted(positions, key=lambda text: (positions[text], text))
    found = []
    for speaker in speakers:
        taught, years = [], defaultdict(lambda: defaultdict(Counter))
        year_counts = defaultdict(lambda: [0, 0])  # year → [activities, answers]
        for activity in speaker.taught:
            answers = counts.get(activity.pk, 0)
            evaluated = activity.kind in rules.evaluated_kinds(activity.program)
            if not evaluated and not answers:
                continue
            shown = answers >= threshold
            tally = by_text[activity.pk] if shown else {}
            taught.append(
                SpeakerActivity(
                    activity, answers, shown, [(c, mean(tally.get(c, {}))) for c in columns]
                )
            )
            if shown:
                year = timezone.localtime(activity.starts_at).year
                year_counts[year][0] += 1
                year_counts[year][1] += answers
                for text, scores in tally.items():
                    years[year][text].update(scores)
        if not taught:
            continue
        ratings = []
        for year in sorted(year_counts, reverse=True):
            every = Counter()
            for scores in years[year].values():
                every.update(scores)
            ratings.append(
                SpeakerYear(
                    year,
                    *year_counts[year],
                    means=[mean(years[year].get(c, {})) for c in columns],
                    overall=mean(every),
                )
            )
        found.append(SpeakerRatings(speaker, ratings, taught))
    return Speakers(columns, found, threshold)
