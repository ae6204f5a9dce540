from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from demo import data
from trainees.models import Enrollment, Program, Trainee, Unit
from trainees.roles import LEADERSHIP, ORGANIZER, TRAINEE

ORGANIZER_APPS = ["trainees", "timetable", "discussions", "exams"]


class Command(BaseCommand):
    help = "Create the demo program and its logins (safe to run again: it resets them)."

    @transaction.atomic
    def handle(self, *args, **options):
        organizer = self.user(data.ORGANIZER, role=ORGANIZER, is_staff=True)
        # The demo organizer maintains data in the admin until every page exists.
        organizer.user_permissions.set(
            Permission.objects.filter(content_type__app_label__in=ORGANIZER_APPS)
        )
        leader = self.user(data.LEADER, role=LEADERSHIP)
        self.user(data.ADMIN, is_staff=True, is_superuser=True)

        program = self.program(organizer)
        bureau, _ = Unit.objects.get_or_create(
            name=data.BUREAU, parent=None, defaults={"kind": Unit.Kind.BUREAU}
        )
        trainee_logins = []
        for police_id, name, gender, branch, station, position in data.TRAINEES:
            branch_unit, _ = Unit.objects.get_or_create(
                name=branch, parent=bureau, defaults={"kind": Unit.Kind.BRANCH}
            )
            unit, _ = Unit.objects.get_or_create(
                name=station, parent=branch_unit, defaults={"kind": Unit.Kind.STATION}
            )
            user = self.user({"username": police_id}, role=TRAINEE)
            Trainee.objects.update_or_create(
                police_id=police_id,
                defaults={
                    "user": user,
                    "name": name,
                    "gender": gender,
                    "unit": unit,
                    "position": position,
                },
            )
            Enrollment.objects.get_or_create(program=program, trainee=user.trainee)
            trainee_logins.append((police_id, f"{name}，{branch}{station}"))

        self.stdout.write(self.style.SUCCESS(f"演示培训班 demo program: {program.code} {program}"))
        self.stdout.write(f"演示账号 demo logins (password for all: {data.DEMO_PASSWORD})")
        self.stdout.write(f"  教务 organizer     {organizer.username}")
        self.stdout.write(f"  领导 leadership    {leader.username}")
        for police_id, who in trainee_logins:
            self.stdout.write(f"  学员 trainee       {police_id}  ({who})")
        self.stdout.write(f"  管理员 superuser   {data.ADMIN['username']}")

    def user(self, fields, role=None, **flags):
        """Create or reset one demo login with the demo password."""
        fields = dict(fields)
        user, _ = get_user_model().objects.get_or_create(
            username=fields.pop("username"), defaults=fields
        )
        for flag, value in flags.items():
            setattr(user, flag, value)
        user.set_password(data.DEMO_PASSWORD)
        user.save()
        if role:
            user.groups.add(Group.objects.get_or_create(name=role)[0])
        return user

    def program(self, organizer):
        """The Changzhou program of seed 000, dated from today so that "my day" has a day."""
        today = timezone.localdate()
        program, _ = Program.objects.update_or_create(
            code=data.PROGRAM["code"],
            defaults={
                **data.PROGRAM,
                "start_date": today,
                "end_date": today + timedelta(days=2),
            },
        )
        program.organizers.add(organizer)
        return program
