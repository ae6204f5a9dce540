from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sessions.models import Activity, Speaker
from sessions.services.timetable_import import activities_import
from tests import factories, rosters
from tests.timetable.factories import activity, at

pytestmark = pytest.mark.django_db

HEADER = ["日期", "开始", "结束", "类型", "题目", "授课人", "场地", "分组"]


@pytest.fixture
def program():
    program = factories.program(code="CZ2023", daily_routine="06:30 起床\n22:00 就寝")
    for number in range(1, 6):
        factories.group(program, number=number)
    return program


def day(program, n=0):
    return (program.start_date + timedelta(days=n)).isoformat()


def rows_of(program):
    return [
        [day(program), "08:30", "09:00", "开班/结业", "开班仪式", "", "报告厅", ""],
        [
            day(program),
            "09:10",
            "11:30",
            "专题辅导",
            "学习贯彻党的二十大精神",
            "市信访局副局长 王颖",
            "报告厅",
            "",
        ],
        [day(program, 1), "19:00", "21:00", "分组讨论", "分组讨论", "", "第一研讨室", "1"],
        [day(program, 1), "19:00", "21:00", "分组讨论", "分组讨论", "", "第二研讨室", "第2组"],
    ]


def run(program, content, name="日程.xlsx", **options):
    return activities_import(program=program, name=name, content=content, user=None, **options)


def test_import_activities_from_xlsx(program):
    result = run(program, rosters.xlsx(rows_of(program), header=HEADER, title="日程安排"))

    assert result.errors == []
    assert Activity.objects.count() == 4
    lecture = Activity.objects.get(title="学习贯彻党的二十大精神")
    assert lecture.starts_at == at(program.start_date, "09:10")
    assert [str(s) for s in lecture.speakers.all()] == ["市信访局副局长 王颖"]
    assert sorted(Activity.objects.exclude(group=None).values_list("group__number", flat=True)) == [
        1,
        2,
    ]


def test_import_activities_from_gbk_csv_with_english_kinds(program):
    data = rows_of(program)
    data[1][3] = "lecture"

    result = run(program, rosters.csv_bytes(data, header=HEADER, encoding="gbk"), "日程.csv")

    assert result.errors == []
    assert Activity.objects.get(title="学习贯彻党的二十大精神").kind == "lecture"


def test_import_activities_dry_run_writes_nothing(program):
    result = run(program, rosters.xlsx(rows_of(program), header=HEADER), dry_run=True)

    assert len(result.activities) == 4
    assert (Activity.objects.count(), Speaker.objects.count()) == (0, 0)


def test_import_activities_reports_every_error_with_its_row_and_writes_nothing(program):
    activity(program, start="14:00", end="16:00", title="已排的课", venue="报告厅")
    data = rows_of(program)
    data[0][0] = "明天"  # row 3
    data[1][3] = "聚餐"  # row 4
    data[2][7] = "9"  # row 5
    data.append([day(program), "15:00", "15:30", "专题辅导", "撞车", "", "报告厅", ""])  # row 7
    data.append([day(program, 9), "08:00", "09:00", "参观", "参观警示教育基地", "", "", ""])

    result = run(program, rosters.xlsx(data, header=HEADER))

    assert [str(e) for e in result.errors] == [
        "第 3 行，日期：“明天”不是有效的日期",
        "第 4 行，类型：“聚餐”不是有效的日程类型",
        "第 5 行，分组：本培训班没有第 9 组",
        "第 7 行，题目：场地“报告厅”此时已被“已排的课”（01-02 14:00–16:00）占用。",
        "第 7 行，题目：全体学员此时已有“已排的课”（01-02 14:00–16:00）。",
        "第 8 行，题目：日程不在培训班的日期内（2023-01-02 至 2023-01-04）。",
    ]
    assert Activity.objects.count() == 1


def test_import_activities_finds_clashes_between_its_own_rows(program):
    data = rows_of(program)
    data[3][6] = "第一研讨室"  # the second discussion in the first one's room

    result = run(program, rosters.xlsx(data, header=HEADER))

    assert [str(e) for e in result.errors] == [
        "第 6 行，题目：场地“第一研讨室”此时已被“分组讨论”（01-03 19:00–21:00）占用。"
    ]
    assert Activity.objects.count() == 0


def test_import_activities_in_the_browser_previews_then_saves(client, program):
    organizer = factories.user("organizer")
    program.organizers.add(organizer)
    client.force_login(organizer)
    upload = SimpleUploadedFile("日程.xlsx", rosters.xlsx(rows_of(program), header=HEADER))

    preview = client.post("/timetable/programs/CZ2023/activities/import/", {"file": upload})
    assert Activity.objects.count() == 0
    done = client.post(
        "/timetable/programs/CZ2023/activities/import/",
        {"confirm": "1", "digest": preview.context["digest"]},
        follow=True,
    )

    assert "4 项日程已准备好" in preview.content.decode()
    assert "已导入 4 项日程" in done.content.decode()
    assert Activity.objects.count() == 4


def test_import_after_publication_records_one_change(program, django_capture_on_commit_callbacks):
    from django.core import mail

    from sessions.models import ActivityChange
    from sessions.services import timetable

    trainee = factories.trainee(email="gong@example.cn")
    factories.enrollment(program, trainee, group=program.groups.get(number=1))
    timetable.timetable_publish(program=program)

    with django_capture_on_commit_callbacks(execute=True):
        run(program, rosters.xlsx(rows_of(program), header=HEADER))

    assert ActivityChange.objects.count() == 1
    assert ActivityChange.objects.get().summary.startswith("新增 4 项日程：")
    assert len(mail.outbox) == 1


def test_import_uses_the_known_speaker_so_the_clash_is_seen(program):
    lv = Speaker.objects.create(name="吕平洋", title="支队长", organization="常州市公安局督察支队")
    elsewhere = factories.program(start_date=program.start_date)
    activity(elsewhere, start="14:30", end="17:00", title="从督察角度审视派出所工作", speakers=[lv])
    data = [
        [
            day(program),
            "15:00",
            "16:00",
            "专题辅导",
            "督察",
            "市公安局督察支队支队长 吕平洋",
            "",
            "",
        ]
    ]

    result = run(program, rosters.xlsx(data, header=HEADER))

    # The other activity is another program's: the message names it (its code) first.
    [error] = [str(e) for e in result.errors]
    assert error.startswith("第 3 行，题目：吕平洋此时正在")
    assert elsewhere.code in error and "“从督察角度审视派出所工作”" in error
    assert Speaker.objects.count() == 1
