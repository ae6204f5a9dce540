import importlib
import json
import random
from datetime import date

import pytest
from django.apps import apps
from django.utils import timezone
from django.utils.safestring import SafeString

from discussions import similarity
from discussions.models import Essay, EssayBand, EssayMatch
from discussions.services.essays import essay_return
from tests import factories
from trainees.models import Enrollment
from trainees.personal_data import trainee_erase


def words(text):
    """The words of `text`, separated by spaces: long vocabularies read better as prose."""
    return text.split()


# Reflection essays written from one vocabulary, as chiefs of one training write them: the same
# themes, stock phrases and words, arranged by each writer in their own sentences. Two essays
# of different seeds share topic words and a few set phrases, but no passage.
THEMES = {
    "派出所主防": words(
        "派出所主防工作 主防责任 治安防控体系 源头防范 风险隐患排查 重点人员管控 "
        "社会面巡逻防控 警情研判 防范宣传 技防设施建设 案件防控 校园周边防控 寄递物流管控 "
        "易制毒化学品管理 内部单位安全防范 反诈劝阻"
    ),
    "枫桥经验": words(
        "新时代枫桥经验 矛盾纠纷排查化解 人民调解 诉源治理 警调对接 网格化管理 群防群治 "
        "基层社会治理 信访积案化解 平安村居创建 乡贤调解 婚恋家庭纠纷化解 三调联动 "
        "重复警情治理 红袖标队伍 心理疏导"
    ),
    "执法规范化": words(
        "执法规范化建设 案件审核把关 执法办案管理中心 受案立案制度改革 涉案财物管理 "
        "执法记录仪使用 执法过错责任追究 法制员队伍 行政案件办理 刑事案件质量 执法质量考评 "
        "办案区安全管理 证据收集固定 文书制作 快办快审 执法公开"
    ),
    "群众工作": words(
        "群众工作 警民关系 走访群众 为民服务 户籍窗口服务 群众安全感 满意度测评 警务公开 "
        "便民利民措施 民意收集 接处警回访 12345工单办理 弱势群体帮扶 警营开放日 群众诉求响应 "
        "上门办证"
    ),
    "队伍管理": words(
        "队伍教育管理 从严治警 民辅警思想动态 纪律作风建设 绩效考核 练兵比武 从优待警 "
        "青年民警培养 廉政风险防控 辅警管理 谈心谈话 警营文化建设 执勤安全 传帮带 "
        "八小时以外监督 心理健康关爱"
    ),
    "社区警务": words(
        "社区警务 一村一辅警 社区民警驻村 警务室建设 实有人口管理 出租房屋管理 基础信息采集 "
        "警格融合 智慧安防小区 平安志愿者 物业联动 独居老人关爱 楼栋长队伍 电动车防盗 "
        "流动人口服务 治安积分"
    ),
}

MONTHS = words("今年三月 四月中旬 五月初 六月下旬 九月 十月上旬 金秋时节 初夏")
ORGANIZERS = words("市公安局 市局政治部 市局党委 警官培训基地 省公安厅 市局警令部")
COURSES = ["派出所所长轮训班", "所长能力提升班", "基层所长专题培训", "所长集中培训"]
DAYS = ["三天", "五天", "短短几天", "一周", "四天"]
FEELINGS = words("让我受益匪浅 收获颇丰 使我深受触动 让我开阔了眼界 感触很深 很受启发")
# Parts of sentences. Each list is long enough that two writers seldom pick the same two or
# three parts in a row, as two chiefs seldom write the same sentence.
TIMES = words(
    "这次培训期间 回到所里以后 近年来 在日常工作中 从警二十多年来 面对新形势 去年以来 "
    "每逢节假日 今后 结合本所实际 汛期 春节前后 重大活动安保期间 夜间 刚到所里时 "
    "这几年 开学季 农忙时节 年底 换届前后 疫情过后 撤乡并镇以后"
)
OURS = ["", "", "", "我们", "所里的", "我们所的", "本所"]
SUBJECTS = words(
    "全体民警 社区民警 所班子 辅警队伍 党支部 值班民警 案件队 治安组 各警务室 "
    "青年民警 分管副所长 老民警 巡逻队 综合室 户籍内勤 驻村辅警 法制员 教导员"
)
LINKS = ["", "", "", "", "同时，", "另外，", "比如，", "特别是", "此外，", "其实", "再说"]
ADVERBS = words(
    "始终 切实 进一步 扎实 认真 主动 持续 全力 着力 坚定 不折不扣地 下大力气 "
    "一以贯之地 有针对性地 实打实地 一步一个脚印地 创造性地 常态化地 集中力量 分步骤"
)
VERBS = words(
    "坚持 推进 落实 抓好 强化 完善 深化 规范 健全 提升 创新 加强 夯实 改进 狠抓 优化 "
    "抓实 做细 做实 统筹"
)
QUALIFIERS = ["", "", "", "辖区", "基层", "日常", "全所的", "村居", "重点时段的", "夜间"]
RESULTS = words(
    "辖区治安持续平稳 发案数明显下降 群众满意度逐年上升 矛盾不上交 执法质量稳步提高 "
    "队伍面貌焕然一新 打出了声威 赢得了群众信任 隐患消除在萌芽状态 "
    "连续三年没有发生命案 信访总量下降了一半 民警的干劲更足了 案件退补率大幅降低 "
    "群众办事少跑了腿 盗窃警情降了三成 年轻民警很快挑起了大梁 考核排名进了前三 "
    "没有一起执法投诉 电诈损失明显减少 辖区再没出过群体性事件 村里的老人都认得我们 "
    "两名辅警考上了公务员"
)
GOALS = words(
    "努力做到小事不出村、大事不出镇 确保一方平安 让群众看得见、感受得到 "
    "做到底数清、情况明 把问题解决在基层 守住不发生重大案事件的底线 "
    "让每一起案件都经得起检验 让民警心无旁骛干工作 真正做到人往基层走、劲往基层使 "
    "让老百姓睡得踏实 把风险挡在门外 让辅警也有奔头"
)
AS = ["当作", "作为", "列为", "看成"]
ROLES = words("头等大事 基础工程 重中之重 一把手工程 长期任务 硬任务 第一责任 民心工程")
LAI = ["来抓", "", "来推进", "来落实", "紧抓不放"]
REALIZE = words(
    "我深刻体会到 我认识到 通过学习我明白 实践证明 事实告诉我们 这让我体会到 说到底 "
    "归根到底 回头看 我越来越觉得"
)
JUDGMENTS = words(
    "是立所之本 关系全局 一刻也不能放松 必须常抓不懈 是基本功 来不得半点虚假 "
    "决定着派出所的成色 离不开群众的支持 没有捷径可走 靠的是日积月累 "
    "最能检验所长的本事 考验的是责任心"
)
MUSTS = words("我们必须 今后要 下一步要 所里将 我将带头 全所上下要 我们要 我打算 所里准备")
PLACES = words(
    "城东社区 李庄村 新华街道 开发区 老城区 火车站周边 城南工业园 河西村 大学城 "
    "农贸市场 王集镇 滨河小区 高铁站 城中村 建材市场 北山林场"
)
EVENTS = words(
    "发生一起邻里纠纷 两户村民因宅基地起了争执 一家企业拖欠工人工资 一名老人走失 "
    "夜间盗窃电动车案件多发 一起交通事故引发聚集 出现电信诈骗苗头 "
    "一处出租屋消防隐患突出 几名青少年深夜聚集滋事 一对夫妻因家暴报警 "
    "一名精神障碍患者持刀闹事 多名群众反映噪音扰民 一家小额贷款公司涉嫌非法集资 "
    "一名学生被骗两万元"
)
ROLES_OF = words("民警 社区民警 辅警 副所长 教导员 值班民警 治安民警")
WHEN = ["", "", "接警后", "当晚", "立即", "随后", "不到十分钟就", "连夜", "第二天一早"]
ACTIONS = words(
    "赶到现场 联合司法所调解 组织民警蹲守 发动平安志愿者巡逻 上门走访当事人 "
    "调取视频逐帧研判 召开所务会 请来村干部一起做工作 带着辅警挨家挨户排查 "
    "守了三个通宵 找来双方家属坐下来谈 跑了三个县城 联系网格员 把老人背下了山"
)
OUTCOMES = words(
    "最终化解了矛盾 案件很快告破 群众送来了锦旗 类似警情明显下降 当事人握手言和 "
    "隐患当场整改 老人当晚回了家 追回了全部损失 一场冲突消弭于无形 嫌疑人在外省落网 "
    "工人们拿到了工钱 那家店主后来成了我们的信息员"
)
COUNTS = [
    ("排查化解矛盾纠纷", "起"),
    ("走访群众", "户"),
    ("开展法制培训", "场"),
    ("上门宣传防诈骗知识", "次"),
    ("采集基础信息", "条"),
    ("抓获违法犯罪嫌疑人", "名"),
    ("整改消防隐患", "处"),
    ("办理户籍业务", "件"),
    ("召开警情分析会", "次"),
    ("组织练兵", "次"),
    ("劝阻潜在受害人", "人"),
    ("收缴管制刀具", "把"),
]
PERIODS = words("去年 今年上半年 过去三年 近两年 截至目前 自去年以来 上个季度 今年以来")
SEASONS = words("春天 夏天 秋天 冬天 春节 国庆 中秋 暑假")
COMPARED = ["比上年翻了一番", "同比增长两成多", "创了历年新高", "是前几年的总和", "位居全局前列"]
TOTALS = ["全所共", "我们累计", "所里一共", "全所民辅警共", "各警务室合计"]
LECTURERS = words(
    "省厅的专家 市局领导 授课老师 兄弟单位的所长 一位老所长 法制支队的同志 党校的教授 刑侦支队长"
)
LESSONS = words("的经验 的案例 的做法 方面的体会 的几个误区 的具体要求 的三个环节")
HEARD = ["讲到的", "介绍的", "分析的", "谈到的"]
REACTIONS = words(
    "对我触动很大 我深有同感 正说到了我们的短板 让我很受启发 值得我们认真学习 "
    "我回去就要照着做 和我们所的情况很像 让我想起了刚当所长时的事"
)
BENCHMARKS = words("先进所的做法 上级的要求 群众的期盼 这次培训的内容 兄弟所的经验 考核细则")
SHORTCOMINGS = words(
    "不少短板 一些薄弱环节 工作不够细的问题 重形式轻实效的现象 人手不足的困难 "
    "制度落实不到位的情况 底数不清的问题 考核导向不够科学的问题"
)
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆"
ORDINALS = "一二三四五六七八九十"
SIGNATURE_OF_TRAINING_CLASS = [1816456097, 2010286079, 2389335324]


def essay_paragraphs(seed, paragraphs=10):
    """A reflection essay of `paragraphs` paragraphs (~2,000 characters), the same for a seed."""
    rng = random.Random(seed)
    theme, topics = rng.choice(sorted(THEMES.items()))
    others = [topic for name, items in sorted(THEMES.items()) if name != theme for topic in items]
    pick = rng.choice

    def topic():
        # Mostly the essay's theme, sometimes another: chiefs write about everything they do.
        return pick(QUALIFIERS) + (pick(topics) if rng.random() < 0.7 else pick(others))

    def colleague():
        return pick(ROLES_OF) + pick(SURNAMES) + "".join(rng.sample(GIVEN, pick([1, 2])))

    def subject():
        return pick(OURS) + pick(SUBJECTS)

    def when():
        year, month = rng.randint(2015, 2024), rng.randint(1, 12)
        return pick(
            [
                f"{year}年{month}月",
                f"记得{year}年{pick(SEASONS)}",
                f"有一年{pick(SEASONS)}",
                f"前年{month}月的一天",
                f"我刚到{pick(PLACES)}警务室那年",
                f"{month}月{rng.randint(1, 28)}日晚上",
            ]
        )

    def tally():
        done, unit = pick(COUNTS)
        count = rng.randint(3, 480)
        if rng.random() < 0.5:
            return f"{pick(TOTALS)}{done}{count}{unit}"
        return f"{done}达到{count}{unit}，{pick(COMPARED)}"

    forms = [
        lambda: (
            f"{pick(TIMES)}，{subject()}{pick(ADVERBS)}{pick(VERBS)}{topic()}，{pick(RESULTS)}。"
        ),
        lambda: (
            f"{subject()}把{topic()}{pick(AS)}{pick(ROLES)}{pick(LAI)}，"
            f"{pick(ADVERBS)}{pick(VERBS)}{topic()}。"
        ),
        lambda: (
            f"{when()}，{pick(PLACES)}{pick(EVENTS)}，{colleague()}{pick(WHEN)}"
            f"{pick(ACTIONS)}，{pick(OUTCOMES)}。"
        ),
        lambda: (
            f"{pick(REALIZE)}，{topic()}{pick(JUDGMENTS)}，{pick(MUSTS)}{pick(VERBS)}{topic()}。"
        ),
        lambda: f"{pick(PERIODS)}，{tally()}，{pick(RESULTS)}。",
        lambda: f"{pick(MUSTS)}{pick(ADVERBS)}{pick(VERBS)}{topic()}，{pick(GOALS)}。",
        lambda: f"{pick(LECTURERS)}{pick(HEARD)}{topic()}{pick(LESSONS)}，{pick(REACTIONS)}。",
        lambda: f"对照{pick(BENCHMARKS)}，{subject()}在{topic()}上还存在{pick(SHORTCOMINGS)}。",
    ]

    def sentences(count):
        return "".join(pick(LINKS) + pick(forms)() for _ in range(count))

    opening = (
        f"{pick(MONTHS)}，我参加了{pick(ORGANIZERS)}举办的{pick(COURSES)}，"
        f"{pick(DAYS)}的学习{pick(FEELINGS)}。" + sentences(rng.randint(3, 4))
    )
    body = [
        f"{ORDINALS[n]}是{pick(VERBS)}{topic()}。" + sentences(rng.randint(5, 7))
        for n in range(paragraphs - 2)
    ]
    resolve = f"总之，{pick(MUSTS)}把所学所悟转化为{pick(VERBS)}{topic()}的实际行动。"
    closing = resolve + sentences(2)
    return [opening, *body, closing]


def essay(program, body, title="学习心得体会", signed=True):
    """A handed-in essay of a new trainee of `program`, signed and indexed as a past hand-in
    would be."""
    text = similarity.essay_text(title, body)
    handed_in = Essay.objects.create(
        enrollment=factories.enrollment(program, factories.trainee(with_login=False)),
        title=title,
        body=body,
        status=Essay.Status.SUBMITTED,
        submitted_at=timezone.now(),
        signature=similarity.signature(text) if signed else None,
    )
    if signed:
        similarity.essay_bands_replace(essay_id=handed_in.pk, bands=similarity.passage_bands(text))
    return handed_in


def matches():
    """Every EssayMatch row, as comparable tuples."""
    return sorted(
        EssayMatch.objects.values_list("essay_id", "other_id", "similarity", "containment")
    )


def marked(spans):
    """The offsets covered by `spans`."""
    return {index for start, end in spans for index in range(start, end)}


def test_normalize_drops_whitespace_and_punctuation_and_lowercases():
    normalized, positions = similarity.normalize("派出所， Police\n所长！ＡＢ１２")

    assert normalized == "派出所police所长ab12"
    assert positions == [0, 1, 2, 5, 6, 7, 8, 9, 10, 12, 13, 15, 16, 17, 18]


def test_shingles_ignore_punctuation_whitespace_and_case():
    plain = "坚持和发展新时代枫桥经验推进Smart警务建设"
    typed_otherwise = "坚持和发展“新时代枫桥经验”，\n推进 smart 警务建设。"

    assert similarity.shingles(plain) == similarity.shingles(typed_otherwise)
    assert len(similarity.shingles(plain)) == len("坚持和发展新时代枫桥经验推进smart警务建设") - 4


def test_shingles_of_a_text_shorter_than_k_are_none():
    assert similarity.shingles("派出所。") == set()


def test_signature_is_deterministic_and_json_serializable():
    text = "".join(essay_paragraphs(1))

    first = similarity.signature(text)

    assert first == similarity.signature(text)
    assert len(first) == similarity.N
    assert json.loads(json.dumps(first)) == first


def test_signature_values_do_not_change_between_versions():
    # Stored signatures are compared with new ones: changing K, N, the hash or the seeds
    # makes every stored signature useless until all essays are signed again.
    assert similarity.signature("派出所所长培训班")[:3] == SIGNATURE_OF_TRAINING_CLASS


def test_estimate_of_identical_texts_is_one_and_of_disjoint_texts_zero():
    chinese = "".join(essay_paragraphs(1))
    english = "Community policing starts with knowing every household on the beat."

    assert similarity.estimate(similarity.signature(chinese), similarity.signature(chinese)) == 1.0
    assert similarity.estimate(similarity.signature(chinese), similarity.signature(english)) == 0.0


def test_estimate_of_an_empty_text_matches_nothing():
    empty = similarity.signature("。 \n")

    assert similarity.estimate(empty, empty) == 0.0
    assert similarity.estimate(empty, similarity.signature("".join(essay_paragraphs(1)))) == 0.0


def test_estimate_refuses_signatures_of_different_lengths():
    with pytest.raises(ValueError):
        similarity.estimate(similarity.signature("派出所所长培训班"), [1, 2, 3])


def test_estimate_is_close_to_the_exact_jaccard_index():
    first, second = essay_paragraphs(1), essay_paragraphs(2)
    text_a = "\n".join(first)
    text_b = "\n".join(first[:5] + second[5:])

    estimated = similarity.estimate(similarity.signature(text_a), similarity.signature(text_b))

    # Three standard errors at N = 128 and J ~ 0.3.
    assert abs(estimated - similarity.compare(text_a, text_b)[0]) < 0.12


def test_compare_gives_the_jaccard_index_and_the_containment_of_the_first_text():
    part = essay_paragraphs(1)[1]
    whole = part + "\n" + essay_paragraphs(2)[1]
    part_shingles, whole_shingles = similarity.shingles(part), similarity.shingles(whole)

    assert similarity.compare(part, whole) == (len(part_shingles) / len(whole_shingles), 1.0)
    assert similarity.compare(whole, part) == (
        len(part_shingles) / len(whole_shingles),
        len(part_shingles) / len(whole_shingles),
    )
    assert similarity.compare(part, part) == (1.0, 1.0)
    assert similarity.compare("", part) == (0.0, 0.0)


def test_shared_spans_give_the_copied_sentence_in_offsets_of_the_original_text():
    copied = "二〇二三年九月，城南工业园出现电信诈骗苗头，民警林宇斌当晚带着辅警挨家挨户排查"
    text = f"我的前言。\n{copied}。我的结尾。"
    other = f"别人写的开头，{copied}，别人的结尾。"

    spans = similarity.shared_spans(text, other)

    assert spans == [(6, 6 + len(copied))]
    assert text[slice(*spans[0])] == copied


def test_shared_spans_merge_sentences_separated_by_punctuation_and_line_breaks():
    first = "所里把矛盾纠纷排查化解当作头等大事来抓"
    second = "社区民警连夜召开所务会请来村干部一起做工作"
    text = f"前言。{first}。\n\n{second}！后记。"

    spans = similarity.shared_spans(text, f"另一篇。{first}{second}")

    assert spans == [(3, 3 + len(first) + 3 + len(second))]


def test_shared_spans_skip_a_shared_stock_phrase():
    text = "我们要坚持和发展新时代枫桥经验，把矛盾化解在基层。"
    other = "全所上下坚持和发展新时代枫桥经验，建设平安村居。"

    assert similarity.shared_spans(text, other) == []


def test_shared_spans_keep_a_passage_with_a_changed_word_and_leave_the_word_unmarked():
    original = essay_paragraphs(3)[2]
    # A copier's touch: 我们 becomes 我所, and a few characters are swapped throughout.
    edited = list(original.replace("我们", "我所"))
    for index in range(10, len(edited), 25):
        edited[index] = "某"
    edited = "".join(edited)

    spans = similarity.shared_spans(edited, original)

    changed = {i for i, (a, b) in enumerate(zip(edited, original, strict=True)) if a != b}
    assert not changed & marked(spans)
    assert len(marked(spans)) >= 0.8 * len(edited)


def test_highlight_escapes_html_and_wraps_spans_in_mark():
    text = "前言<script>alert(1)</script>\n抄来的一段 & 结尾"

    html = similarity.highlight(text, [(text.index("抄"), text.index(" &"))])

    assert html == ("前言&lt;script&gt;alert(1)&lt;/script&gt;\n<mark>抄来的一段</mark> &amp; 结尾")
    assert isinstance(html, SafeString)


def test_highlight_without_spans_is_the_escaped_text():
    assert similarity.highlight("<b>第一段</b>\n第二段", []) == "&lt;b&gt;第一段&lt;/b&gt;\n第二段"


@pytest.mark.django_db
def test_essay_matches_update_ranks_the_essay_copied_from_first_and_marks_the_copy():
    earlier = factories.program(start_date=date(2023, 4, 10))
    current = factories.program(start_date=date(2024, 4, 8))
    corpus = {seed: essay_paragraphs(seed) for seed in range(1, 13)}
    source_seed = 5
    stored = {
        seed: essay(earlier if seed <= 6 else current, "\n".join(paragraphs))
        for seed, paragraphs in corpus.items()
    }
    # X: ten paragraphs of its own, three of which (30 %) replaced by paragraphs of S, one of
    # them retyped with ASCII punctuation and spaces.
    source = corpus[source_seed]
    paragraphs = essay_paragraphs(100)
    copied_at = {2: source[3], 5: source[6], 8: source[7].replace("，", ", ").replace("。", ". ")}
    for index, paragraph in copied_at.items():
        paragraphs[index] = paragraph
    body = "\n".join(paragraphs)
    copier = essay(current, body, signed=False)
    copied = set()
    offset = 0
    for index, paragraph in enumerate(paragraphs):
        if index in copied_at:
            copied |= set(range(offset, offset + len(paragraph)))
        offset += len(paragraph) + 1

    found = similarity.essay_matches_update(essay=copier)

    assert [match.other_id for match in found[:1]] == [stored[source_seed].pk]
    assert list(copier.matches.values_list("other_id", flat=True))[:1] == [stored[source_seed].pk]
    # Essays that merely share the theme's words share no 20-character passage with it: not
    # even candidates (their bands differ), where a scan of every signature listed them.
    assert [match.other_id for match in found] == [stored[source_seed].pk]
    reverse = EssayMatch.objects.get(essay=stored[source_seed], other=copier)
    copier_text = similarity.essay_text(copier.title, copier.body)
    source_text = similarity.essay_text(stored[source_seed].title, stored[source_seed].body)
    assert (found[0].similarity, found[0].containment) == similarity.compare(
        copier_text, source_text
    )
    assert (reverse.similarity, reverse.containment) == similarity.compare(source_text, copier_text)
    highlighted = marked(similarity.shared_spans(body, stored[source_seed].body))
    assert len(highlighted & copied) >= 0.9 * len(copied)
    assert len(highlighted - copied) <= 0.1 * (len(body) - len(copied))


@pytest.mark.django_db
def test_essay_matches_update_twice_leaves_the_same_rows():
    program = factories.program()
    source = essay_paragraphs(1)
    for seed in range(2, 8):
        paragraphs = essay_paragraphs(seed)
        paragraphs[seed] = source[seed]  # each shares one paragraph with the essay
        essay(program, "\n".join(paragraphs))
    handed_in = essay(program, "\n".join(source), signed=False)
    similarity.essay_matches_update(essay=handed_in)
    first = matches()

    similarity.essay_matches_update(essay=handed_in)

    assert matches() == first
    assert len(first) == 10  # five matches, each stored both ways
    handed_in.refresh_from_db()
    assert handed_in.signature == similarity.signature(
        similarity.essay_text(handed_in.title, handed_in.body)
    )


@pytest.mark.django_db
def test_essay_matches_update_without_other_essays_finds_nothing():
    handed_in = essay(factories.program(), "\n".join(essay_paragraphs(1)), signed=False)

    found = similarity.essay_matches_update(essay=handed_in)

    assert found == []
    assert matches() == []
    handed_in.refresh_from_db()
    assert len(handed_in.signature) == similarity.N


@pytest.mark.django_db
def test_essay_matches_update_skips_essays_never_signed_and_unrelated_ones():
    program = factories.program()
    body = "\n".join(essay_paragraphs(1))
    essay(program, body, signed=False)  # a draft, or a hand-in whose check has not run
    essay(program, "Community policing starts with knowing every household on the beat.")
    handed_in = essay(program, body, signed=False)

    assert similarity.essay_matches_update(essay=handed_in) == []
    assert matches() == []


@pytest.mark.django_db
def test_essay_matches_update_keeps_the_rows_of_essays_that_listed_it():
    # One much-copied essay: each copier lists it, though it lists only its top `limit`.
    program = factories.program()
    source = essay_paragraphs(1)
    original = essay(program, "\n".join(source))
    copiers = []
    for seed, shared in ((2, 5), (3, 4), (4, 3)):
        paragraphs = essay_paragraphs(seed)
        paragraphs[:shared] = source[:shared]
        copiers.append(essay(program, "\n".join(paragraphs)))
        similarity.essay_matches_update(essay=copiers[-1])
    listed_by = set(EssayMatch.objects.filter(other=original).values_list("essay_id", flat=True))

    similarity.essay_matches_update(essay=original, limit=1)

    assert list(original.matches.values_list("other_id", flat=True)) == [copiers[0].pk]
    assert listed_by == {copier.pk for copier in copiers}
    assert (
        set(EssayMatch.objects.filter(other=original).values_list("essay_id", flat=True))
        == listed_by
    )


@pytest.mark.django_db
def test_essay_matches_update_queries_do_not_grow_with_the_number_of_essays(
    django_assert_max_num_queries, django_assert_num_queries
):
    program = factories.program()

    def handed_in_with(count):
        """An essay, and `count` more essays that share a paragraph with it."""
        own = essay_paragraphs(1000 + count)
        for seed in range(count):
            paragraphs = essay_paragraphs(2000 + 100 * count + seed)
            paragraphs[seed % 10] = own[seed % 10]
            essay(program, "\n".join(paragraphs))
        return essay(program, "\n".join(own), signed=False)

    few = handed_in_with(5)
    with django_assert_max_num_queries(50) as captured:
        assert len(similarity.essay_matches_update(essay=few)) == 5
    many = handed_in_with(50)

    with django_assert_num_queries(len(captured)):
        assert len(similarity.essay_matches_update(essay=many)) == 5


def bands_of(handed_in):
    """The essay's rows in the similarity index, as {band: hash}."""
    return dict(EssayBand.objects.filter(essay=handed_in).values_list("band", "hash"))


def test_passage_bands_are_fixed_signed_64_bit_minima_one_per_band():
    text = "".join(essay_paragraphs(1))

    bands = similarity.passage_bands(text)

    assert bands == similarity.passage_bands(text)
    assert len(bands) == similarity.BANDS  # ~2,000 windows leave no band empty
    assert all(-(1 << 63) <= value < (1 << 63) for value in bands.values())
    # A text shorter than a passage has no band: it is never a candidate.
    assert similarity.passage_bands("坚持和发展新时代枫桥经验。") == {}


def test_passage_bands_of_a_text_and_of_its_copy_inside_another_agree():
    paragraph = essay_paragraphs(1)[3]
    inside = "\n".join([*essay_paragraphs(2)[:4], paragraph, *essay_paragraphs(2)[4:]])

    shared = set(similarity.passage_bands(paragraph).items()) & set(
        similarity.passage_bands(inside).items()
    )

    # A band of the larger text agrees when its smallest window is one of the paragraph's.
    assert len(shared) >= 5


@pytest.mark.django_db
def test_essay_matches_update_finds_an_essay_sharing_one_paragraph_of_ten():
    # Near the threshold: one paragraph of ten, the Jaccard index of the 20-character windows
    # ~0.05 (found with probability 1 - 0.95^128 = 0.9986), of the shingles ~0.13.
    program = factories.program()
    stored = {seed: essay(program, "\n".join(essay_paragraphs(seed))) for seed in range(1, 13)}
    paragraphs = essay_paragraphs(200)
    paragraphs[4] = essay_paragraphs(7)[4]
    handed_in = essay(program, "\n".join(paragraphs), signed=False)

    found = similarity.essay_matches_update(essay=handed_in)

    assert [match.other_id for match in found][:1] == [stored[7].pk]
    assert 0.1 < found[0].similarity < 0.2


@pytest.mark.django_db
def test_essay_matches_update_finds_a_copy_with_a_word_changed_every_40_characters():
    # A copier's touch: 我们 becomes 我所 and a character in 40 is changed. Half the copied
    # 20-character windows survive (J ~ 0.07, found with probability 1 - 0.93^128). A change
    # every 20 characters or fewer leaves none: that copier is not found (similarity.py).
    program = factories.program()
    stored = {seed: essay(program, "\n".join(essay_paragraphs(seed))) for seed in range(1, 7)}
    source = essay_paragraphs(3)
    paragraphs = essay_paragraphs(300)
    for at in (2, 5, 8):
        edited = list(source[at].replace("我们", "我所"))
        for index in range(10, len(edited), 40):
            edited[index] = "某"
        paragraphs[at] = "".join(edited)
    handed_in = essay(program, "\n".join(paragraphs), signed=False)

    found = similarity.essay_matches_update(essay=handed_in)

    assert [match.other_id for match in found][:1] == [stored[3].pk]


@pytest.mark.django_db
def test_essay_matches_update_writes_the_essays_bands_with_its_signature():
    program = factories.program()
    body = "\n".join(essay_paragraphs(1))
    handed_in = essay(program, body, signed=False)
    assert bands_of(handed_in) == {}

    similarity.essay_matches_update(essay=handed_in)
    similarity.essay_matches_update(essay=handed_in)

    expected = similarity.passage_bands(similarity.essay_text(handed_in.title, body))
    assert bands_of(handed_in) == expected
    assert EssayBand.objects.count() == len(expected)


@pytest.mark.django_db
def test_essay_matches_update_of_an_essay_returned_meanwhile_writes_no_bands():
    handed_in = essay(factories.program(), "\n".join(essay_paragraphs(1)), signed=False)
    Essay.objects.filter(pk=handed_in.pk).update(status=Essay.Status.RETURNED)

    assert similarity.essay_matches_update(essay=handed_in) == []
    assert bands_of(handed_in) == {}


@pytest.mark.django_db
def test_returning_an_essay_removes_its_bands_and_it_is_no_longer_found():
    program = factories.program()
    source = essay(program, "\n".join(essay_paragraphs(1)))
    other = essay(program, "\n".join(essay_paragraphs(2)))

    essay_return(essay=source, comment="请结合本所实际修改。")

    assert bands_of(source) == {}
    assert bands_of(other) != {}
    copier = essay(program, "\n".join(essay_paragraphs(1)), signed=False)
    found = similarity.essay_matches_update(essay=copier)
    assert source.pk not in [match.other_id for match in found]


@pytest.mark.django_db
def test_erasure_and_deletion_remove_the_essays_bands():
    program = factories.program()
    erased = essay(program, "\n".join(essay_paragraphs(1)))
    deleted = essay(program, "\n".join(essay_paragraphs(2)))
    kept = essay(program, "\n".join(essay_paragraphs(3)))
    Enrollment.objects.filter(pk=erased.enrollment_id).update(status=Enrollment.Status.WITHDRAWN)

    trainee_erase(
        enrollment=Enrollment.objects.get(pk=erased.enrollment_id),
        user=factories.user(is_superuser=True),
    )
    deleted.delete()

    assert set(EssayBand.objects.values_list("essay_id", flat=True)) == {kept.pk}


@pytest.mark.django_db
def test_band_backfill_indexes_the_signed_essays_and_backwards_empties_the_index():
    migration = importlib.import_module("discussions.migrations.0004_essay_band")
    program = factories.program()
    signed = [essay(program, "\n".join(essay_paragraphs(seed))) for seed in (1, 2)]
    never_signed = essay(program, "\n".join(essay_paragraphs(3)), signed=False)
    expected = {handed_in.pk: bands_of(handed_in) for handed_in in signed}
    EssayBand.objects.all().delete()

    migration.bands_backfill(apps, None)

    assert {handed_in.pk: bands_of(handed_in) for handed_in in signed} == expected
    assert bands_of(never_signed) == {}
    migration.bands_remove(apps, None)
    assert not EssayBand.objects.exists()
