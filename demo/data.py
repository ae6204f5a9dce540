"""Demo data: the Changzhou program of seed 000 (../shared/seeds/000_…txt).

The class itself is in fixtures/changzhou_roster.csv, a bureau-style roster (title row,
Chinese headers, UTF-8 with BOM) that seed_demo loads through the same import as the
organizers' upload.
"""

from pathlib import Path

DEMO_PASSWORD = "jingxun-demo"
ROSTER = Path(__file__).resolve().parent / "fixtures" / "changzhou_roster.csv"

PROGRAM = {
    "code": "CZ2023",
    "title": "常州市公安派出所长素质能力提升专题培训班",
    "venue": "常州市公安局警察训练基地",
    "daily_routine": "06:30 起床\n07:00 早餐\n08:20 点名整队\n08:30 上午课程\n12:00 午餐\n"
    "14:20 点名整队\n14:30 下午课程\n18:00 晚餐\n19:00 分组讨论或观看警示教育片\n22:00 就寝",
    "rules": "每次上课前10分钟点名整队，列队进入教室；不迟到、不早退；"
    "上课期间手机关闭或调为静音；请假须经班主任批准。",
    "essay_min_chars": 1500,
}

# 94 位所长分成 5 个小组，由市公安局党委成员主持，围绕落实"派出所主防"讨论。
GROUPS = [
    (1, "于贵平", "副市长、市公安局局长", "从思想观念上向“派出所主防”转变"),
    (2, "周建明", "市公安局党委副书记、副局长", "警力和精力向主防倾斜"),
    (3, "钱立新", "市公安局党委委员、副局长", "农村地区警务融合与大防范"),
    (4, "孙海涛", "市公安局党委委员、政治部主任", "整合警力资源，划分防区组合作战"),
    (5, "李卫东", "市公安局党委委员、副局长", "综合指挥室的中枢作用"),
]

# The trainees whose logins the README lists: they get the demo password.
DEMO_TRAINEES = ["320401", "320402", "320403", "320404", "320405", "320406"]

ORGANIZER = {"username": "organizer", "first_name": "陈教务"}
LEADER = {"username": "leader", "first_name": "局领导"}
ADMIN = {"username": "admin"}
