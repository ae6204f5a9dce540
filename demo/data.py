"""Demo data: the Changzhou program of seed 000 (../shared/seeds/000_…txt).

The class itself is in fixtures/changzhou_roster.csv, a bureau-style roster (title row,
Chinese headers, UTF-8 with BOM) that seed_demo loads through the same import as the
organizers' upload.
"""

from pathlib import Path

DEMO_PASSWORD = "jingxun-demo"
ROSTER = Path(__file__).resolve().parent / "fixtures" / "changzhou_roster.csv"
# The question bank, in the format of the bank's import; its first 30 rows (100 points) are
# the entry exam and, again, the graduation exam, so the gain of each chief compares.
QUESTION_BANK = Path(__file__).resolve().parent / "fixtures" / "question_bank.csv"
EXAM_QUESTIONS = 30
ENTRY_EXAM = "入学摸底考试"
GRADUATION_EXAM = "结业考试"
# Short answers the demo chiefs give, from thin to thorough (graded accordingly).
SHORT_ANSWERS = [
    "加强排查，及时调解。",
    "依靠群众，联合村居调解组织，定期排查矛盾纠纷，早发现早化解。",
    "坚持党建引领、发动群众，建立常态化排查机制；警调、诉调、访调对接，做到小事不出村、"
    "大事不出镇、矛盾不上交；对重点纠纷建立台账、跟踪回访。",
]

BUREAU = "常州市公安局"  # the program's organizing bureau, the root of the demo's unit tree
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

# 潘立群 and 王晓飞 speak in seed 000 on the topics of groups 3 and 4: there they sit.
REGROUP = {"320405": 3, "320406": 4}

# The trainees whose logins the README lists: they get the demo password.
DEMO_TRAINEES = ["320401", "320402", "320403", "320404", "320405", "320406"]

ORGANIZER = {"username": "organizer", "first_name": "陈教务"}
LEADER = {"username": "leader", "first_name": "局领导"}
ADMIN = {"username": "admin"}

# The three days of seed 000 (2日, 3日, 4日), placed on yesterday, today and tomorrow.
# (day, start, end, kind, title, speakers [(name, title, organization)], venue, group, formats)
HALL = "报告厅"
ROOMS = ["第一研讨室", "第二研讨室", "第三研讨室", "第四研讨室", "第五研讨室"]
YU = ("于贵平", "副市长、局长", "常州市公安局")
ACTIVITIES = [
    (0, "08:30", "09:00", "ceremony", "开班仪式", [YU], HALL, None, "动员讲话"),
    (
        0,
        "09:10",
        "11:30",
        "lecture",
        "学深悟透党的二十大精神，为奋力书写中国式现代化常州答卷汇聚磅礴力量",
        [("王颖", "党的二十大代表、市委宣讲团成员、副局长", "常州市信访局")],
        HALL,
        None,
        "专题宣讲",
    ),
    (
        0,
        "14:30",
        "17:00",
        "case_study",
        "从督察角度审视派出所工作",
        [("吕平洋", "支队长", "常州市公安局督察支队")],
        HALL,
        None,
        "视频、案例剖析",
    ),
    (
        0,
        "19:00",
        "20:30",
        "film",
        "观看警示教育片：党的二十大安保维稳专项督察",
        [],
        HALL,
        None,
        "视频",
    ),
    (
        1,
        "08:30",
        "10:00",
        "lecture",
        "聚焦派出所主防，推动高质量发展",
        [("吴小龙", "支队长", "常州市公安局人口管理支队")],
        HALL,
        None,
        "PPT演示",
    ),
    (
        1,
        "10:15",
        "11:45",
        "case_study",
        "派出所综合指挥室如何发挥中枢大脑作用",
        [("尚庆", "主任", "常州市公安局情报指挥中心")],
        HALL,
        None,
        "案例点评",
    ),
    (
        1,
        "14:30",
        "15:45",
        "lecture",
        "严守中央八项规定精神",
        [("刘敏", "主任", "市纪委监委党风政风监督室")],
        HALL,
        None,
        "PPT演示、案例剖析",
    ),
    (
        1,
        "16:00",
        "17:30",
        "lecture",
        "未成年人案事件规范化处置",
        [("丁瑞鸿", "支队长", "常州市公安局刑警支队")],
        HALL,
        None,
        "视频、案例剖析",
    ),
    *[
        (
            1,
            "19:00",
            "21:00",
            "discussion",
            "分组讨论：落实“派出所主防”",
            [],
            ROOMS[n - 1],
            n,
            "分组讨论",
        )
        for n in range(1, 6)
    ],
    (
        2,
        "08:30",
        "11:30",
        "forum",
        "所长论坛：奋力书写“派出所主防”答卷",
        [],
        HALL,
        None,
        "经验交流",
    ),
    (
        2,
        "14:00",
        "14:55",
        "lecture",
        "派出所治安管理重点工作",
        [("赵刚", "支队长", "常州市公安局治安支队")],
        HALL,
        None,
        "PPT演示",
    ),
    (
        2,
        "15:00",
        "15:55",
        "lecture",
        "基层执法规范化建设",
        [("张蕾", "支队长", "常州市公安局法制支队")],
        HALL,
        None,
        "流程解构",
    ),
    (
        2,
        "16:00",
        "16:55",
        "lecture",
        "基层维稳工作与社会风险研判",
        [("何建", "主任", "常州市公安局社会风险研判中心")],
        HALL,
        None,
        "PPT演示",
    ),
    (2, "17:00", "17:30", "ceremony", "结业式", [YU], HALL, None, "总结讲话"),
]

# 成绩通报: the mailboxes of the political department and of each branch (demo addresses).
REPORT_MAILBOXES = {
    "政治部": "zhengzhibu@czga.test",
    "常州市公安局天宁分局": "tianning@czga.test",
    "常州市公安局钟楼分局": "zhonglou@czga.test",
    "常州市公安局新北分局": "xinbei@czga.test",
    "常州市公安局武进分局": "wujin@czga.test",
    "常州市公安局经开区分局": "jingkai@czga.test",
    "常州市公安局金坛分局": "jintan@czga.test",
    "溧阳市公安局": "liyang@czga.test",
}

# Leadership: the city bureau's leader reads everything; 金坛分局's reads its own stations.
JINTAN_LEADER = {"username": "jintan", "first_name": "金坛分局领导"}
JINTAN = "常州市公安局金坛分局"

# Two earlier programs of the bureau, for the dashboard across years: (code, title, kind,
# start, trainees drawn from today's class, lectures, mean entry, mean gain).
HISTORY = [
    ("CZ2021", "常州市新任派出所所长任职培训班", "new_chiefs", (2021, 9, 13), 48, 10, 58, 17),
    ("CZ2022", "常州市派出所所长“枫桥经验”专题培训班", "thematic", (2022, 6, 20), 60, 12, 62, 14),
]
LECTURES = ["新时代“枫桥经验”与派出所工作", "执法规范化建设", "警务实战训练", "基层治理与群众工作"]

# 结业: the earlier programs closed on their last evening, by the rules below; a certificate
# of 2021 revoked afterwards (the one of this serial number, a chief the demo does not name).
HISTORY_RULES = {"min_attendance_rate": 80, "require_graduation_pass": True}
REVOKED_SERIAL = "CZ2021-0007"
REVOKED_REASON = "经复核，该学员结业考试由他人代考，依规撤销结业证书"
REVOKED_ON = (2021, 11, 2)

# 评教: what the chiefs write under the scores (most write nothing). The latest ended lecture
# has only this many answers so far: its results stay hidden (答卷不足 5 份).
TOO_FEW_ANSWERS = 3
EVALUATION_COMMENTS = [
    "案例鲜活，贴近派出所实际，很受启发。",
    "讲得很实在，回去就能用。",
    "内容很好，时间稍紧，希望多留互动时间。",
    "建议课件会后发给学员。",
    "理论部分偏多，希望多讲基层案例。",
    "老师经验丰富，解答问题很到位。",
    "对综合指挥室建设很有指导意义。",
    "PPT字太小，后排看不清。",
    "希望以后安排现场教学，到先进派出所看一看。",
    "讲到了执法中的常见问题，针对性强。",
]

# seed_province: 江苏省公安厅 above 常州市公安局 and 无锡市公安局, and a province-wide program
# (the department trains chiefs of both cities). Its leader reads everything; 无锡's leader
# reads 无锡's programs, and 无锡's chiefs' figures in the province's program.
PROVINCE = "江苏省公安厅"
PROVINCE_LEADER = {"username": "province", "first_name": "省厅领导"}
WUXI = "无锡市公安局"
WUXI_LEADER = {"username": "wuxi", "first_name": "无锡市局领导"}
PROVINCE_PROGRAM = {
    "code": "JS2024",
    "title": "江苏省派出所所长“枫桥式公安派出所”创建轮训班",
    "kind": "thematic",
    "venue": "江苏警官学院",
}
# 无锡's chiefs of the province's program (姓名, 警号, 单位): the file names each station with
# its branch and city, so that the import files them under 无锡市公安局, not under the province.
WUXI_CHIEFS = [
    ("钱坤", "320201", "无锡市公安局滨湖分局荣巷派出所"),
    ("顾晓东", "320202", "无锡市公安局滨湖分局河埒派出所"),
    ("华建国", "320203", "无锡市公安局梁溪分局崇安寺派出所"),
    ("秦立新", "320204", "无锡市公安局梁溪分局广益派出所"),
    ("蒋文斌", "320205", "无锡市公安局新吴分局旺庄派出所"),
    ("过志勇", "320206", "无锡市公安局新吴分局硕放派出所"),
]
# 无锡's own program, organized by 无锡市公安局: its leader's 培训班 page lists it.
WUXI_PROGRAM = {
    "code": "WX2024",
    "title": "无锡市派出所所长执法规范化专题培训班",
    "kind": "chiefs",
    "venue": "无锡市公安局警务技能训练基地",
}
PROVINCE_CHANGZHOU_CHIEFS = 6  # the first of the demo class (320401 …) attend it too
