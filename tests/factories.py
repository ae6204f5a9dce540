"""Small factories: each makes one valid object, with keyword overrides."""

import itertools
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group as AuthGroup
from django.utils import timezone

from trainees.models import Enrollment, Group, Leader, Program, Trainee, Unit

PASSWORD = "pass-for-tests-1"
_sequence = itertools.count(1)


def user(role=None, username=None, unit=None, **fields):
    """A user with PASSWORD, in the auth group of `role` if given. A leadership account
    belongs to `unit`, by default a root unit of its own: it reads everything."""
    # An account that has signed in before: a first sign-in must change its password.
    fields.setdefault("last_login", timezone.now())
    account = get_user_model().objects.create_user(
        username=username or f"user{next(_sequence)}", password=PASSWORD, **fields
    )
    if role:
        # get_or_create: transactional tests flush the groups that migration 0002 made.
        account.groups.add(AuthGroup.objects.get_or_create(name=role)[0])
    if role == "leadership":
        unit = unit or Unit.objects.create(name=f"市公安局{next(_sequence)}", kind="bureau")
        Leader.objects.create(user=account, unit=unit)
    return account


def unit(name=None, parent=None, kind=Unit.Kind.STATION):
    return Unit.objects.create(
        name=name or f"测试派出所{next(_sequence)}", parent=parent, kind=kind
    )


def city_units():
    """常州市公安局 with two branches (金坛, 武进) and a station under each (儒林, 湖塘)."""
    city = unit("常州市公安局", kind=Unit.Kind.BUREAU)
    jintan = unit("金坛分局", parent=city, kind=Unit.Kind.BRANCH)
    wujin = unit("武进分局", parent=city, kind=Unit.Kind.BRANCH)
    return {
        "city": city,
        "jintan": jintan,
        "rulin": unit("儒林派出所", parent=jintan),
        "wujin": wujin,
        "hutang": unit("湖塘派出所", parent=wujin),
    }


def trainee(police_id=None, with_login=True, **fields):
    """A trainee whose login name is the police ID."""
    police_id = police_id or f"{300000 + next(_sequence)}"
    fields.setdefault("name", f"学员{police_id}")
    fields.setdefault("unit", unit())
    account = user("trainee", username=police_id) if with_login else None
    return Trainee.objects.create(police_id=police_id, user=account, **fields)


def program(organizers=(), **fields):
    n = next(_sequence)
    start = fields.pop("start_date", date(2023, 1, 2))
    created = Program.objects.create(
        code=fields.pop("code", f"P{n}"),
        title=fields.pop("title", f"第{n}期派出所所长培训班"),
        start_date=start,
        end_date=fields.pop("end_date", start + timedelta(days=2)),
        **fields,
    )
    created.organizers.add(*organizers)
    return created


def group(program, number=None, **fields):
    return Group.objects.create(program=program, number=number or next(_sequence), **fields)


def enrollment(program, trainee_=None, **fields):
    return Enrollment.objects.create(program=program, trainee=trainee_ or trainee(), **fields)
