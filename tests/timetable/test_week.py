"""The organizer's week: the groups' activities held at once are one legible block (and one
entry of the print), and the grid widens to what happens before wake-up or after lights-out."""

import re

import pytest

from sessions.selectors import timetable as timetable_selectors
from tests.timetable.factories import ROOMS, activity, group_discussions

pytestmark = pytest.mark.django_db


def test_week_shows_eight_parallel_groups_as_one_block_with_groups_and_rooms(
    client, organizer, zhoukou
):
    group_discussions(zhoukou)
    activity(zhoukou, start="08:30", end="10:00", title="开班仪式", venue="报告厅")
    client.force_login(organizer)

    page = client.get("/timetable/programs/ZK2026/week/").content.decode()

    [block] = re.findall(r'<details class="act act-parallel.*?</details>', page, re.S)
    assert 'data-groups="8"' in block
    summary = re.search(r"<summary.*?</summary>", block, re.S)[0]
    assert "19:00 分组讨论 ×8" in summary
    rooms = re.findall(r"<span>(.*?)</span>", summary)
    assert rooms == [f"第{n}组 {ROOMS[n - 1]}" for n in range(1, 9)]
    listed = re.findall(r'<li data-group="(\d)">(.*?)</li>', block, re.S)
    assert [number for number, _text in listed] == [str(n) for n in range(1, 9)]
    assert all(ROOMS[int(n) - 1] in text and f"主持人{n}" in text for n, text in listed)
    assert page.count("act-parallel") == 1 and "开班仪式" in page


def test_week_puts_the_parallel_set_in_one_lane_beside_what_overlaps_it(zhoukou):
    group_discussions(zhoukou)
    activity(zhoukou, start="20:00", end="21:30", title="值班", kind="other", venue="值班室")

    [(_day, blocks), *_rest] = timetable_selectors.week(zhoukou).days

    [block, duty] = blocks
    assert (block.is_parallel, len(block), block.lane, block.lanes) == (True, 8, 1, 2)
    assert (duty.title, duty.lane, duty.lanes) == ("值班", 2, 2)


def test_groups_with_their_own_titles_make_one_block_named_by_the_kind(zhoukou):
    for number in (1, 2):
        activity(
            zhoukou,
            start="19:00",
            end="21:00",
            kind="discussion",
            title=f"第{number}组：主防",
            group=zhoukou.groups.get(number=number),
        )

    [(_day, [block]), *_rest] = timetable_selectors.week(zhoukou).days

    assert (block.title, block.titles_differ) == ("分组讨论", True)


def test_print_week_lists_each_group_of_the_parallel_set(client, organizer, zhoukou):
    group_discussions(zhoukou)
    client.force_login(organizer)

    page = client.get("/timetable/programs/ZK2026/week/print/").content.decode()

    assert "分组讨论 ×8" in page
    listed = re.findall(r"<li>(第\d组) · (\S+)", page)
    assert listed == [(f"第{n}组", ROOMS[n - 1]) for n in range(1, 9)]


def test_week_draws_an_activity_before_wake_up_where_it_is(client, organizer, zhoukou):
    # 05:30, before the routine's 06:30 wake-up and the grid's usual 06:00 start.
    activity(zhoukou, start="05:30", end="06:15", kind="drill", title="晨跑")
    activity(zhoukou, start="23:00", end="23:45", kind="other", title="查铺")
    client.force_login(organizer)

    response = client.get("/timetable/programs/ZK2026/week/")

    grid = response.context["grid"]
    [(_day, [run, check]), *_rest] = response.context["days"]
    assert (grid.first_hour, grid.last_hour) == (5, 24)
    assert grid.labels()[:2] == [("05:00", 2), ("06:00", 6)]
    # Row 2 is 05:00, one row per 15 minutes: 05:30 is row 4, 06:15 ends at line 7.
    assert (run.row_start, run.row_end) == (4, 7)
    assert (check.row_start, check.row_end) == (74, 77)
    assert grid.last_line == 78
    assert grid.off_routine() == [(2, 8), (70, 78)]  # before 06:30, after 22:00
    page = response.content.decode()
    assert page.count('class="day-grid hours-19"') == 3
    assert "act kind-drill t-rs-4 t-re-7 lanes-1 lane-1" in page


def test_week_grid_stays_06_to_23_when_everything_is_inside(zhoukou):
    activity(zhoukou, start="08:30", end="10:00")

    grid = timetable_selectors.week(zhoukou).grid

    assert (grid.first_hour, grid.last_hour, grid.last_line) == (6, 23, 70)
