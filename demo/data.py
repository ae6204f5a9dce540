"""Demo data taken from the Changzhou program of seed 000 (../shared/seeds/000_…txt)."""

DEMO_PASSWORD = "jingxun-demo"

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

BUREAU = "常州市公安局"

# (police ID, name, gender, branch bureau, station, position): chiefs named in seed 000.
TRAINEES = [
    ("320401", "龚定俊", "M", "溧阳市公安局", "竹箦派出所", "所长"),
    ("320402", "方圆", "M", "金坛分局", "儒林派出所", "所长"),
    ("320403", "邹雨枫", "M", "经开区分局", "横山桥派出所", "所长"),
    ("320404", "汪云涌", "M", "金坛分局", "滨湖派出所", "所长"),
    ("320405", "潘立群", "M", "溧阳市公安局", "别桥派出所", "所长"),
    ("320406", "王晓飞", "M", "武进分局", "马杭派出所", "所长"),
]

ORGANIZER = {"username": "organizer", "first_name": "陈教务"}
LEADER = {"username": "leader", "first_name": "局领导"}
ADMIN = {"username": "admin"}
