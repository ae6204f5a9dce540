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
