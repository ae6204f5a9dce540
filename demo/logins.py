"""The demo's logins, as `make demo` prints them: last, once the server listens (serve_demo),
where the server's own output cannot push them away."""

from demo import data
from trainees.models import Trainee


def login_lines():
    trainees = Trainee.objects.filter(police_id__in=data.DEMO_TRAINEES).select_related("unit")
    return [
        f"演示账号 demo logins (password for all: {data.DEMO_PASSWORD})",
        f"  教务 organizer     {data.ORGANIZER['username']}",
        f"  领导 leadership    {data.LEADER['username']}  (市局 city bureau: everything)",
        f"  领导 leadership    {data.JINTAN_LEADER['username']}  "
        f"({data.JINTAN}: its stations only)",
        *(
            f"  学员 trainee       {trainee.police_id}  ({trainee.name}，{trainee.unit})"
            for trainee in trainees
        ),
        f"  管理员 superuser   {data.ADMIN['username']}",
        "The other trainees sign in with the initial passwords of the login slips.",
    ]
