"""Roster files for tests, built in memory as a bureau's spreadsheet would be."""

import csv
import io

from openpyxl import Workbook

HEADER = ["序号", "姓名", "警号", "单位", "上级单位", "职务", "性别", "手机号", "分组", "备注"]
STATIONS = [
    ("溧阳市公安局竹箦派出所", "溧阳市公安局"),
    ("溧阳市公安局别桥派出所", "溧阳市公安局"),
    ("常州市公安局金坛分局儒林派出所", "常州市公安局金坛分局"),
    ("常州市公安局武进分局湖塘派出所", "常州市公安局武进分局"),
    ("常州市公安局武进分局湟里派出所", "常州市公安局武进分局"),
    ("常州市公安局新北分局百丈派出所", "常州市公安局新北分局"),
    ("常州市公安局天宁分局新丰街派出所", "常州市公安局天宁分局"),
    ("常州市公安局钟楼分局南大街派出所", "常州市公安局钟楼分局"),
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静强磊军洋勇艳杰涛明超秀霞平刚桂"


def rows(count, start=1, group_count=0):
    """`count` data rows in HEADER order: distinct names, police IDs and phones."""
    data = []
    for n in range(start, start + count):
        unit, parent = STATIONS[n % len(STATIONS)]
        name = SURNAMES[n % 20] + GIVEN[(n // 20) % 20] + GIVEN[(n // 400) % 20]
        group = str(n % group_count + 1) if group_count else ""
        phone = f"139{n:08d}"
        data.append([n, name, f"{410000 + n}", unit, parent, "所长", "男", phone, group, ""])
    return data


def xlsx(data, header=HEADER, title="周口市公安派出所所长专业化延伸培训班学员名册"):
    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet.append(header)
    for row in data:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(data, header=HEADER, encoding="utf-8-sig"):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(data)
    return out.getvalue().encode(encoding)


# 周口: the county bureaus of one city, each with stations whose names spell no parent (城关派出所
# is in every county): the roster names each station's county bureau in 上级单位.
ZHOUKOU = "周口市公安局"
ZHOUKOU_COUNTIES = [
    "川汇区分局",
    "淮阳区公安局",
    "项城市公安局",
    "扶沟县公安局",
    "西华县公安局",
    "商水县公安局",
    "沈丘县公安局",
    "郸城县公安局",
    "太康县公安局",
    "鹿邑县公安局",
    "经济开发区分局",
]
ZHOUKOU_STATIONS = ["城关派出所", "城郊派出所", "新城派出所", "老城派出所"]


def zhoukou_rows(count, start=1, group_count=8):
    """`count` data rows of a Zhoukou roster in HEADER order: stations by short name, their
    county bureau in 上级单位, groups 1..group_count in 分组."""
    data = rows(count, start=start, group_count=group_count)
    for index, row in enumerate(data):
        county = ZHOUKOU_COUNTIES[index % len(ZHOUKOU_COUNTIES)]
        station = ZHOUKOU_STATIONS[(index // len(ZHOUKOU_COUNTIES)) % len(ZHOUKOU_STATIONS)]
        row[3], row[4] = station, county
    return data
