"""`python manage.py seed_province`, after `seed_demo`: the demo as one installation of a
province (README "Roles")."""

import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from demo import data
from demo.management.commands.seed_demo import Command as SeedDemo
from demo.management.commands.seed_demo import city_bureau
from exams.models import Exam
from exams.services import paper as paper_services
from trainees.models import Enrollment, Leader, Program, Unit
from trainees.roles import LEADERSHIP
from trainees.services.roster import roster_import

ROSTER_HEADER = "姓名,警号,单位\r\n"


class Command(BaseCommand):
    help = (
        "File the demo's city bureau under 江苏省公安厅, add 无锡市公安局 and a province-wide "
        "program, and the logins `province` and `wuxi` (run seed_demo first; safe to run again)."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        demo = Program.objects.filter(code=data.PROGRAM["code"]).first()
        if demo is None:
            raise CommandError("Run `python manage.py seed_demo` first.")
        province, _created = Unit.objects.get_or_create(
            name=data.PROVINCE, parent=None, defaults={"kind": Unit.Kind.PROVINCE}
        )
        changzhou = city_bureau()
        changzhou.parent = province
        changzhou.save(update_fields=["parent"])
        wuxi, _created = Unit.objects.get_or_create(
            name=data.WUXI, parent=province, defaults={"kind": Unit.Kind.BUREAU}
        )
        program = self.program(demo, data.PROVINCE_PROGRAM, province, 30, self.changzhou(demo))
        own = self.program(demo, data.WUXI_PROGRAM, wuxi, 60, [])
        seed = SeedDemo(stdout=self.stdout)
        Leader.objects.update_or_create(
            user=seed.user(data.PROVINCE_LEADER, role=LEADERSHIP), defaults={"unit": province}
        )
        Leader.objects.update_or_create(
            user=seed.user(data.WUXI_LEADER, role=LEADERSHIP), defaults={"unit": wuxi}
        )
        cities = Unit.objects.filter(parent=province).count()
        self.stdout.write(
            self.style.SUCCESS(
                f"省厅 province: {province} above {cities} city bureaus; {program.code} "
                f"{program} ({program.enrollments.count()} chiefs of 常州 and 无锡); {own.code} "
                f"{own} (organized by {wuxi})"
            )
        )
        self.stdout.write(
            f"  领导 leadership    {data.PROVINCE_LEADER['username']}  (省厅: everything), "
            f"{data.WUXI_LEADER['username']}  ({data.WUXI}: its programs and chiefs), "
            f"{data.LEADER['username']}  (now {changzhou}'s)"
        )

    def changzhou(self, demo):
        """The first chiefs of the demo class, as a roster's rows (姓名, 警号, 单位)."""
        return [
            (e.trainee.name, e.trainee.police_id, e.trainee.unit.full_name)
            for e in demo.enrollments.select_related("trainee__unit__parent").order_by(
                "trainee__police_id"
            )[: data.PROVINCE_CHANGZHOU_CHIEFS]
        ]

    def program(self, demo, fields, bureau, days_ago, rows):
        """A three-day program organized by `bureau` and the demo's organizer `days_ago` days
        ago: `rows` and 无锡's 6 chiefs imported from one file, and its entry and graduation
        exams' paper scores. JS2024 is the province's (bureau = 江苏省公安厅), WX2024 无锡's."""
        today = timezone.localdate()
        start = today - timedelta(days=days_ago)
        program, _created = Program.objects.update_or_create(
            code=fields["code"],
            defaults={
                **fields,
                "bureau": bureau,
                "start_date": start,
                "end_date": start + timedelta(days=2),
            },
        )
        organizers = list(demo.organizers.all())
        program.organizers.add(*organizers)
        lines = [",".join(row) for row in rows + data.WUXI_CHIEFS]
        plan = roster_import(
            program=program,
            name=f"{fields['code']}名册.csv",
            content=(ROSTER_HEADER + "\r\n".join(lines) + "\r\n").encode("utf-8"),
        )
        if plan.errors:
            raise CommandError("\n".join(str(error) for error in plan.errors))
        rng = random.Random(fields["code"])
        enrollments = list(program.enrollments.filter(status=Enrollment.Status.ACTIVE))
        for kind, title, day, mean in (
            (Exam.Kind.ENTRY, data.ENTRY_EXAM, start, 62),
            (Exam.Kind.GRADUATION, data.GRADUATION_EXAM, start + timedelta(days=2), 78),
        ):
            opens = timezone.make_aware(datetime.combine(day, time(8, 30)))
            exam, _created = Exam.objects.update_or_create(
                program=program,
                kind=kind,
                defaults={
                    "title": title,
                    "mode": Exam.Mode.PAPER,
                    "opens_at": opens,
                    "closes_at": opens + timedelta(hours=2),
                    "duration_minutes": 90,
                    "pass_mark": 60,
                    "released_at": opens + timedelta(days=1),
                },
            )
            scores = {
                e.pk: Decimal(max(30, min(100, round(rng.gauss(mean, 8))))) for e in enrollments
            }
            paper_services.paper_scores_set(exam=exam, scores=scores, user=organizers[0])
        return program
