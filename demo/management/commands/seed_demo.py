import random
from datetime import date, datetime, time, timedelta
from itertools import cycle

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group as AuthGroup
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from demo import completion_seed, data
from demo import discussions_data as talk
from demo.logins import login_lines
from discussions.models import Essay, ForumTalk
from discussions.selectors import records as record_selectors
from discussions.services import essays, forum, records
from exams.models import Answer, Exam, ExamQuestion, Question
from exams.services import attempts, bank, grading, numbers
from exams.services import paper as paper_services
from exams.services import questions as questions_services
from reports.services import outbox
from sessions.models import Activity, ActivityChange, Attendance, LeaveRequest, Speaker, Venue
from sessions.services import leave as leave_services
from sessions.services import rollcall, timetable
from trainees.models import Enrollment, Group, Leader, Program, Trainee, Unit
from trainees.roles import LEADERSHIP, ORGANIZER, TRAINEE
from trainees.services.enrollments import enrollment_move
from trainees.services.groups import groups_split
from trainees.services.roster import roster_import

ORGANIZER_APPS = ["trainees", "timetable", "discussions", "exams", "reports"]


class Command(BaseCommand):
    help = "Create the demo program and its logins (safe to run again: it resets the logins)."

    @transaction.atomic
    def handle(self, *args, **options):
        organizer = self.user(data.ORGANIZER, role=ORGANIZER, is_staff=True)
        # The demo organizer may also use the admin, for what has no page yet.
        organizer.user_permissions.set(
            Permission.objects.filter(content_type__app_label__in=ORGANIZER_APPS)
        )
        leader = self.user(data.LEADER, role=LEADERSHIP)
        self.user(data.ADMIN, is_staff=True, is_superuser=True)

        program = self.program(organizer)
        plan = roster_import(
            program=program,
            name=data.ROSTER.name,
            content=data.ROSTER.read_bytes(),
            user=organizer,
        )
        if plan.errors:
            raise CommandError("\n".join(str(error) for error in plan.errors))
        active = program.enrollments.filter(status=Enrollment.Status.ACTIVE)
        if active.filter(group__isnull=True).exists():
            groups_split(program=program, user=organizer)
        self.regroup(program)

        trainees = Trainee.objects.filter(police_id__in=data.DEMO_TRAINEES).select_related("unit")
        for trainee in trainees:
            trainee.user = self.user({"username": trainee.police_id}, role=TRAINEE)
            trainee.initial_password = ""
            trainee.save(update_fields=["user", "initial_password"])

        self.timetable(program)
        self.exams(program, organizer)
        self.discussions(program)
        self.essays(program, organizer)
        answers = completion_seed.evaluations(program=program, rng=random.Random(2023))
        recipients = self.report_recipients(program)
        self.leaders(leader)
        history = self.history(program, organizer)

        self.stdout.write(self.style.SUCCESS(f"演示培训班 demo program: {program.code} {program}"))
        self.stdout.write(f"  名册 roster: {plan.summary}, {active.count()} trainees in 5 groups")
        self.stdout.write(
            f"  考试 exams: {data.ENTRY_EXAM} (graded, released), {data.GRADUATION_EXAM} (open now)"
        )
        self.stdout.write(
            f"  讨论 discussions: {len(talk.DISCUSSION_RECORDS)} group records, "
            f"{len(talk.FORUM_TALKS)} forum talks"
        )
        handed_in = Essay.objects.filter(enrollment__program=program).exclude(status="draft")
        self.stdout.write(f"  心得 essays: {handed_in.count()} handed in, due tomorrow 12:00")
        self.stdout.write(
            f"  通报 score report: {recipients} recipients (political department and branches), "
            "not published yet"
        )
        shown = sum(1 for count in answers.values() if count >= 5)
        self.stdout.write(
            f"  评教 evaluations: {sum(answers.values())} answers on {len(answers)} ended "
            f"lectures ({shown} with 5 or more, shown; {len(answers) - shown} with too few)"
        )
        self.stdout.write(f"  往期 earlier programs: {history}")
        for line in login_lines():
            self.stdout.write(line)

    def report_recipients(self, program):
        """The mailboxes of the political department (政治部, under the city bureau) and of
        the branches, and the program's default recipients taken from them."""
        bureau = city_bureau()
        Unit.objects.update_or_create(
            name="政治部",
            parent=bureau,
            defaults={"kind": Unit.Kind.DEPARTMENT, "email": data.REPORT_MAILBOXES["政治部"]},
        )
        for name, email in data.REPORT_MAILBOXES.items():
            Unit.objects.filter(name=name, kind__in=[Unit.Kind.BRANCH, Unit.Kind.BUREAU]).update(
                email=email
            )
        program.report_recipients.all().delete()
        added, missing = outbox.recipients_fill_default(program=program)
        if missing:
            raise CommandError(f"no mailbox for {missing}")
        return len(added)

    def leaders(self, leader):
        """The city bureau's leader reads everything (the roster import filed 溧阳市公安局, a
        county bureau, under it: the program's bureau); 金坛分局's leader reads its stations
        only."""
        bureau = city_bureau()
        # A demo database seeded before programs had a bureau has 溧阳市公安局 at the top.
        Unit.objects.filter(name="溧阳市公安局", parent=None).update(
            parent=bureau, kind=Unit.Kind.BRANCH
        )
        Leader.objects.update_or_create(user=leader, defaults={"unit": bureau})
        jintan = self.user(data.JINTAN_LEADER, role=LEADERSHIP)
        Leader.objects.update_or_create(
            user=jintan, defaults={"unit": Unit.objects.get(name=data.JINTAN)}
        )
        return jintan

    def history(self, program, organizer):
        """Two earlier programs (data.HISTORY), attended by some of today's chiefs, with paper
        exam scores (released) and roll call, for the bureau dashboard across years; each
        closed on its last evening, with its completions and certificates."""
        codes = [row[0] for row in data.HISTORY]
        completion_seed.history_programs_clear(codes)
        Program.objects.filter(code__in=codes).delete()
        chiefs = [e.trainee for e in program.enrollments.select_related("trainee")]
        rng = random.Random(2021)
        made = []
        for code, title, kind, (year, month, day), size, lectures, entry_mean, gain in data.HISTORY:
            start = date(year, month, day)
            past = Program.objects.create(
                code=code,
                title=title,
                kind=kind,
                start_date=start,
                end_date=start + timedelta(days=4),
                venue=data.PROGRAM.get("venue", ""),
                bureau=city_bureau(),
            )
            past.organizers.add(organizer)
            enrollments = Enrollment.objects.bulk_create(
                Enrollment(program=past, trainee=trainee)
                for trainee in sorted(rng.sample(chiefs, size), key=lambda t: t.police_id)
            )
            entry_scores, graduation_scores = {}, {}
            for enrollment in enrollments:
                before = max(30, min(95, round(rng.gauss(entry_mean, 9))))
                entry_scores[enrollment.pk] = before
                graduation_scores[enrollment.pk] = min(
                    100, before + max(0, round(rng.gauss(gain, 6)))
                )
            for exam_kind, exam_title, scores, when in (
                (Exam.Kind.ENTRY, data.ENTRY_EXAM, entry_scores, start),
                (Exam.Kind.GRADUATION, data.GRADUATION_EXAM, graduation_scores, past.end_date),
            ):
                opens = timezone.make_aware(datetime.combine(when, time(8, 30)))
                paper = Exam.objects.create(
                    program=past,
                    kind=exam_kind,
                    title=exam_title,
                    mode=Exam.Mode.PAPER,
                    opens_at=opens,
                    closes_at=opens + timedelta(hours=2),
                    duration_minutes=90,
                    pass_mark=60,
                    released_at=opens + timedelta(days=1),
                )
                paper_services.paper_scores_set(exam=paper, scores=scores, user=organizer)
            activities = Activity.objects.bulk_create(
                Activity(
                    program=past,
                    kind=Activity.Kind.LECTURE,
                    title=data.LECTURES[n % len(data.LECTURES)],
                    starts_at=timezone.make_aware(
                        datetime.combine(start + timedelta(days=n // 3), time(8 + 3 * (n % 3), 30))
                    ),
                    ends_at=timezone.make_aware(
                        datetime.combine(start + timedelta(days=n // 3), time(10 + 3 * (n % 3), 0))
                    ),
                )
                for n in range(lectures)
            )
            statuses = ["present"] * 94 + ["late"] * 4 + ["absent", "leave"]
            attendances = Attendance.objects.bulk_create(
                Attendance(
                    activity=activity,
                    enrollment=enrollment,
                    status=(status := rng.choice(statuses)),
                    minutes_late=rng.randint(2, 15) if status == "late" else 0,
                )
                for activity in activities
                for enrollment in enrollments
            )
            certificates, not_completed = completion_seed.history_close(
                program=past,
                attendances=attendances,
                graduation_scores=graduation_scores,
                organizer=organizer,
            )
            made.append(
                f"{code} ({size} trainees, closed: {certificates} certificates, "
                f"{not_completed} not completed)"
            )
        return ", ".join(made)

    def user(self, fields, role=None, **flags):
        """Create or reset one demo login with the demo password."""
        fields = dict(fields)
        user, _created = get_user_model().objects.get_or_create(
            username=fields.pop("username"), defaults=fields
        )
        for flag, value in flags.items():
            setattr(user, flag, value)
        user.set_password(data.DEMO_PASSWORD)
        # The demo's accounts have signed in before: no password change at the first visit.
        user.last_login = user.last_login or timezone.now()
        user.save()
        if role:
            user.groups.add(AuthGroup.objects.get_or_create(name=role)[0])
        return user

    def program(self, organizer):
        """The Changzhou program of seed 000, from yesterday to tomorrow: today is day 2."""
        today = timezone.localdate()
        # 主办单位: the city bureau; the roster's county bureaus (溧阳市公安局) go under it.
        bureau = city_bureau()
        program, _created = Program.objects.update_or_create(
            code=data.PROGRAM["code"],
            defaults={
                **data.PROGRAM,
                "bureau": bureau,
                "start_date": today - timedelta(days=1),
                "end_date": today + timedelta(days=1),
                # 结业时每名学员写一篇心得体会: due at noon of the last day.
                "essay_deadline": timezone.make_aware(
                    datetime.combine(today + timedelta(days=1), time(12, 0))
                ),
            },
        )
        program.organizers.add(organizer)
        for number, host_name, host_title, topic in data.GROUPS:
            Group.objects.update_or_create(
                program=program,
                number=number,
                defaults={
                    "host_name": host_name,
                    "host_title": host_title,
                    "topic": topic,
                },
            )
        return program

    def timetable(self, program):
        """Lay out the three days again around today, then publish the timetable."""
        Activity.objects.filter(program=program).delete()
        ActivityChange.objects.filter(program=program).delete()
        LeaveRequest.objects.filter(enrollment__program=program).delete()
        program.timetable_published_at = None
        groups = {group.number: group for group in program.groups.all()}
        for day, start, end, kind, title, speakers, venue, group, formats in data.ACTIVITIES:
            date = program.start_date + timedelta(days=day)
            activity = Activity(
                program=program,
                kind=kind,
                title=title,
                venue=Venue.objects.get_or_create(program=program, name=venue)[0],
                group=groups.get(group),
                formats=formats,
                host=groups[group].host_name if group else "",
                starts_at=timezone.make_aware(datetime.combine(date, time.fromisoformat(start))),
                ends_at=timezone.make_aware(datetime.combine(date, time.fromisoformat(end))),
            )
            people = [
                Speaker.objects.get_or_create(name=name, title=title, organization=organization)[0]
                for name, title, organization in speakers
            ]
            timetable.activity_save(activity=activity, speakers=people, user=None)
        timetable.timetable_publish(program=program)
        self.roll_call(program)

    def roll_call(self, program):
        """Roll call of what has ended so far: two chiefs late once and one on approved leave
        at the first activity, everyone else present; then closed as the beat task would."""
        organizer = program.organizers.first()
        enrollments = list(program.enrollments.order_by("trainee__police_id")[:3])
        ended = Activity.objects.filter(program=program, ends_at__lte=timezone.now())
        first = Activity.objects.filter(program=program).order_by("starts_at").first()
        rollcall.attendance_set(
            activity=first, enrollment=enrollments[0], status="late", minutes_late=4, user=organizer
        )
        rollcall.attendance_set(
            activity=first,
            enrollment=enrollments[1],
            status="late",
            minutes_late=12,
            user=organizer,
        )
        leave = leave_services.leave_request(
            enrollment=enrollments[2],
            starts_at=first.starts_at,
            ends_at=first.ends_at,
            reason="所里突发警情，需返回处置",
        )
        leave_services.leave_decide(leave=leave, approve=True, user=organizer)
        for activity in ended:
            rollcall.mark_remaining_present(activity=activity, user=organizer)
        rollcall.close_ended()

    def exams(self, program, organizer):
        """The entry exam of the first morning, sat by every chief, graded and released; the
        graduation exam, open now with the same questions, already handed in by two groups."""
        result = bank.bank_import(
            name=data.QUESTION_BANK.name, content=data.QUESTION_BANK.read_bytes()
        )
        if result.errors:
            raise CommandError("\n".join(str(error) for error in result.errors))
        Exam.objects.filter(program=program).delete()
        texts = [row.text for row in result.rows[: data.EXAM_QUESTIONS]]
        by_text = {q.text: q for q in Question.objects.filter(text__in=texts)}
        questions = [by_text[text] for text in texts]
        first_morning = timezone.make_aware(datetime.combine(program.start_date, time(8, 0)))
        last_day = timezone.make_aware(datetime.combine(program.end_date, time(17, 0)))
        now = timezone.now()
        entry = Exam.objects.create(
            program=program,
            kind=Exam.Kind.ENTRY,
            title=data.ENTRY_EXAM,
            opens_at=first_morning - timedelta(minutes=30),
            closes_at=first_morning + timedelta(minutes=30),
            duration_minutes=45,
            pass_mark=60,
        )
        graduation = Exam.objects.create(
            program=program,
            kind=Exam.Kind.GRADUATION,
            title=data.GRADUATION_EXAM,
            opens_at=min(now - timedelta(hours=1), last_day - timedelta(hours=2)),
            closes_at=max(last_day, now + timedelta(hours=3)),
            duration_minutes=45,
            pass_mark=60,
        )
        questions_services.exam_questions_set(exam=entry, questions=questions)
        questions_services.exam_questions_copy(exam=graduation, source=entry)
        enrollments = list(
            program.enrollments.filter(status=Enrollment.Status.ACTIVE)
            .exclude(trainee__police_id__in=data.DEMO_TRAINEES[:3])  # left for the visitor
            .select_related("group")
            .order_by("trainee__police_id")
        )
        self.sit(entry, enrollments, entry.opens_at + timedelta(minutes=5), skill=0.55)
        grading.exam_release(exam=entry, released=True, now=entry.closes_at)
        handed_in = [e for e in enrollments if e.group and e.group.number in (1, 2)]
        self.sit(graduation, handed_in, graduation.opens_at + timedelta(minutes=5), skill=0.8)
        self.grade_short_answers(entry, organizer)
        self.grade_short_answers(graduation, organizer)  # the gains of groups 1 and 2 show

    def sit(self, exam, enrollments, start, skill):
        """Each chief answers like themself: a steady ability from the police ID, plus what
        the course taught (`skill`)."""
        exam_questions = list(
            ExamQuestion.objects.filter(exam=exam).select_related("question").order_by("order")
        )
        choices = {
            eq.question_id: list(eq.question.choices.order_by("pk")) for eq in exam_questions
        }
        for enrollment in enrollments:
            draw = random.Random(f"{exam.kind}:{enrollment.trainee.police_id}")
            ability = skill + random.Random(enrollment.trainee.police_id).uniform(-0.2, 0.2)
            attempt = attempts.attempt_start(exam=exam, enrollment=enrollment, now=start)
            answers = list(Answer.objects.filter(attempt=attempt))
            for answer in answers:
                options = choices[answer.question_id]
                right = [c.pk for c in options if c.is_correct]
                wrong = [c.pk for c in options if not c.is_correct]
                if not options:  # short answer
                    level = min(2, int(ability * 3 + draw.random()))
                    answer.text = data.SHORT_ANSWERS[level]
                elif draw.random() < ability or not wrong:
                    answer.choices = right
                elif len(right) > 1 and draw.random() < 0.5:
                    answer.choices = right[:-1]  # a multiple choice half known
                else:
                    answer.choices = [draw.choice(wrong)]
                answer.revision = 1
            Answer.objects.bulk_update(answers, ["choices", "text", "revision"])
            attempts.attempt_submit(
                attempt=attempt, now=start + timedelta(minutes=draw.randint(20, 40))
            )

    def grade_short_answers(self, exam, organizer):
        for eq in exam.exam_questions.filter(question__kind=Question.Kind.SHORT_ANSWER):
            answers = Answer.objects.filter(attempt__exam=exam, question_id=eq.question_id)
            points = {
                answer.pk: numbers.tenth(
                    eq.points * (data.SHORT_ANSWERS.index(answer.text) + 1) / 3
                )
                for answer in answers
            }
            grading.short_answers_grade(
                exam=exam, question=eq.question, points=points, user=organizer
            )

    def regroup(self, program):
        """Two chiefs whose words in seed 000 belong to another group's topic change places
        with a chief of that group whom the demo does not name: the sizes stay even."""
        named = {
            *data.DEMO_TRAINEES,
            *(pid for record in talk.DISCUSSION_RECORDS.values() for pid, *_ in record["ideas"]),
            *(pid for pid, *_ in talk.FORUM_TALKS),
        }
        active = program.enrollments.filter(status=Enrollment.Status.ACTIVE)
        for police_id, number in data.REGROUP.items():
            chief = active.select_related("group").get(trainee__police_id=police_id)
            if chief.group.number == number:
                continue
            target = program.groups.get(number=number)
            swapped = (
                active.filter(group=target)
                .exclude(trainee__police_id__in=named)
                .order_by("-trainee__police_id")
                .first()
            )
            enrollment_move(enrollment=swapped, group=chief.group)
            enrollment_move(enrollment=chief, group=target)

    def discussions(self, program):
        """This evening's five group discussions written up with their ideas (the records of
        groups 1 and 2 shared with the class; 320401 writes his group's), and the eight talks
        of tomorrow's chiefs' forum."""
        enrollments = {
            e.trainee.police_id: e
            for e in program.enrollments.filter(status=Enrollment.Status.ACTIVE).select_related(
                "trainee__user", "group"
            )
        }
        discussions = {
            activity.group.number: activity
            for activity in record_selectors.discussion_activities(program).filter(
                group__isnull=False
            )
        }
        for number, written in sorted(talk.DISCUSSION_RECORDS.items()):
            activity, group = discussions[number], discussions[number].group
            members = sorted(pid for pid, e in enrollments.items() if e.group_id == group.pk)
            # A demo login of the group writes it up (the others have no account until their
            # first sign-in); a group without one is written by the organizer.
            recorder = next((pid for pid in data.DEMO_TRAINEES if pid in members), None)
            if recorder:
                records.record_recorder_set(
                    activity=activity, group=group, recorder=enrollments[recorder].trainee.user
                )
            record = records.record_summary_save(
                activity=activity, group=group, summary=written["summary"]
            )
            for index, (police_id, text, starred) in enumerate(written["ideas"]):
                # An author outside the group (the split may change) gives way to a member.
                author = police_id if police_id in members else members[index % len(members)]
                idea = records.idea_add(
                    activity=activity, group=group, text=text, author=enrollments[author]
                )
                if starred:
                    records.idea_star(idea=idea, starred=True)
            if number in (1, 2):
                records.record_share(record=record, shared=True)
        ForumTalk.objects.filter(program=program).delete()
        for order, (police_id, title, summary) in enumerate(talk.FORUM_TALKS, start=1):
            forum.forum_talk_save(
                talk=ForumTalk(
                    program=program,
                    presenter=enrollments[police_id],
                    title=title,
                    summary=summary,
                    order=order,
                )
            )

    def essays(self, program, organizer):
        """Essays in every state on the second day: handed in and reviewed (some outstanding),
        waiting for review, returned for revision, drafts, nothing yet, one extension, and one
        essay that copies three paragraphs of another (the similarity check ranks it first)."""
        Essay.objects.filter(enrollment__program=program).delete()
        enrollments = list(
            program.enrollments.filter(status=Enrollment.Status.ACTIVE)
            .select_related("trainee")
            .order_by("trainee__police_id")
        )
        by_id = {e.trainee.police_id: e for e in enrollments}
        now = timezone.now()
        # The three visitor logins: a draft to finish, nothing yet, returned for revision;
        # the next three: outstanding, waiting for review, good.
        plan = {
            "320401": "draft",
            "320402": "none",
            "320403": "returned",
            "320404": "excellent",
            "320405": "submitted",
            "320406": "reviewed",
        }
        others = [e for e in enrollments if e.trainee.police_id not in plan]
        for index, enrollment in enumerate(others):
            kind = ("handed_in", "draft", "none")[index % 3]
            if kind == "handed_in":
                step = index // 3
                kind = ("reviewed", "reviewed", "excellent", "submitted", "reviewed")[step % 5]
                if step % 10 == 9:
                    kind = "returned"
            plan[enrollment.trainee.police_id] = kind
        full = [pid for pid, kind in sorted(plan.items()) if kind not in ("draft", "none")]
        texts = dict(zip(full, essay_texts(len(full)), strict=True))
        # 抄袭: the last essay waiting for review copies three paragraphs of the first reviewed.
        copier = [pid for pid in full if plan[pid] == "submitted"][-1]
        source = next(pid for pid in full if plan[pid] == "reviewed")
        texts[copier] = texts[copier][:4] + texts[source][1:4] + texts[copier][7:]
        reviews = iter(talk.REVIEW_COMMENTS * len(full))
        titles = cycle(talk.ESSAY_TITLES)
        for number, (police_id, kind) in enumerate(sorted(plan.items())):
            enrollment = by_id[police_id]
            if kind == "none":
                continue
            essay = essays.essay_for(enrollment=enrollment)
            written = now - timedelta(hours=3, minutes=number)
            parts = texts.get(police_id) or next(essay_texts(1, seed=police_id))[: 2 + number % 4]
            title = next(titles)
            # Two sittings ten minutes apart: each leaves a version to restore.
            for sitting, upto in ((0, len(parts) // 2), (10, len(parts))):
                essays.essay_save(
                    essay=essay,
                    title=title,
                    body="\n".join(parts[:upto]),
                    revision=int((written + timedelta(minutes=sitting)).timestamp() * 1000),
                    base=essay.revision,
                    now=written + timedelta(minutes=sitting),
                )
                essay.refresh_from_db()
            if kind == "draft":
                continue
            essays.essay_submit(essay=essay, now=written + timedelta(minutes=20))
            if kind == "returned":
                comment = talk.RETURN_COMMENTS[number % len(talk.RETURN_COMMENTS)]
                essays.essay_return(essay=essay, comment=comment, now=written + timedelta(hours=1))
            elif kind in ("reviewed", "excellent"):
                grade, comment = ("A", talk.REVIEW_COMMENTS[0][1])
                if kind == "reviewed":
                    grade, comment = next(reviews)
                    while grade == "A":
                        grade, comment = next(reviews)
                essays.essay_review(
                    essay=essay,
                    reviewer=organizer,
                    grade=grade,
                    comment=comment,
                    excellent=kind == "excellent",
                    now=written + timedelta(hours=2),
                )
        # 延期: one chief called back to a case is given a day more.
        late = next(pid for pid, kind in sorted(plan.items()) if kind == "none" and pid > "320410")
        essays.essay_extend(
            enrollment=by_id[late], until=program.essay_deadline + timedelta(days=1), now=now
        )


def city_bureau():
    """常州市公安局, created at the root the first time; `seed_province` files it under
    江苏省公安厅, where a later run finds it."""
    bureau = Unit.objects.filter(name=data.BUREAU, kind=Unit.Kind.BUREAU).order_by("pk").first()
    return bureau or Unit.objects.create(name=data.BUREAU, kind=Unit.Kind.BUREAU)


def essay_texts(count, seed="CZ2023"):
    """`count` essays as lists of paragraphs (an opening, eight paragraphs, a closing) drawn
    from the demo's pool so that no two share more than one paragraph: like real essays on one
    course, similar in subject, not in passages."""
    draw = random.Random(seed)
    pool = list(range(len(talk.ESSAY_PARAGRAPHS)))
    used = dict.fromkeys(pool, 0)
    chosen = []
    for number in range(count):
        draw.shuffle(pool)
        pick = []
        for limit in (1, 2, 8):  # relaxed only if the pool runs out
            for paragraph in sorted(pool, key=used.get):
                if len(pick) == 8:
                    break
                if paragraph not in pick and all(
                    len(other & {*pick, paragraph}) <= limit for other in chosen
                ):
                    pick.append(paragraph)
        for paragraph in pick:
            used[paragraph] += 1
        chosen.append(set(pick))
        yield [
            talk.ESSAY_OPENINGS[number % len(talk.ESSAY_OPENINGS)],
            *(talk.ESSAY_PARAGRAPHS[n] for n in pick),
            talk.ESSAY_CLOSINGS[number % len(talk.ESSAY_CLOSINGS)],
        ]
