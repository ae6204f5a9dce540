"""The demo's logins, as `make demo` prints them: last, once the server listens (serve_demo),
where the server's own output cannot push them away."""

from django.contrib.auth import get_user_model

from demo import data
from trainees.models import Trainee


def login_lines():
    trainees = Trainee.objects.filter(police_id__in=data.DEMO_TRAINEES).select_related("unit")
    province = []  # once `seed_province` has run
    if get_user_model().objects.filter(username=data.PROVINCE_LEADER["username"]).exists():
        province = [
            f"  领导 leadership    {data.PROVINCE_LEADER['username']}  (省厅 province: everything)",
            f"  领导 leadership    {data.WUXI_LEADER['username']}  "
            f"({data.WUXI}: its programs, its chiefs' figures in the province's)",
        ]
    return [
        f"演示账号 demo logins (password for all: {data.DEMO_PASSWORD})",
        f"  教务 organizer     {data.ORGANIZER['username']}",
        f"  领导 leadership    {data.LEADER['username']}  "
        + (
            "(市局 city bureau: its programs and chiefs)"
            if province
            else "(市局 city bureau: everything)"
        ),
        f"  领导 leadership    {data.JINTAN_LEADER['username']}  "
        f"({data.JINTAN}: its stations only)",
        *province,
        *(
            f"  学员 trainee       {trainee.police_id}  ({trainee.name}，{trainee.unit})"
            for trainee in trainees
        ),
        f"  管理员 superuser   {data.ADMIN['username']}",
        "The other trainees sign in with the initial passwords of the login slips.",
    ]
