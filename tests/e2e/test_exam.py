"""The online exam on a phone: answers given while the network is cut reach the server when it
returns, survive a closed tab (they wait in localStorage), and the countdown hands the exam in
by itself."""

import re
import time
from datetime import timedelta

import pytest
from django.db import OperationalError
from django.utils import timezone
from playwright.sync_api import expect

from exams.models import Answer, Attempt, Choice, Exam, Question
from exams.services import questions as questions_services
from tests import factories
from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHORT_ANSWER = "先核实警情，再分级处置，\n事后回访群众。"


def question(kind, text, options=(), right=(0,)):
    """A bank question with its options in this order; `right` are indexes of the correct ones."""
    created = Question.objects.create(kind=kind, text=text, category="法律法规", points=2)
    for index, option in enumerate(options):
        Choice.objects.create(question=created, text=option, is_correct=index in right)
    return created


def online_exam(program, closes_in=timedelta(hours=2)):
    """An open online exam: three single choices, a multiple choice, a true/false question and
    a short answer. Returns the exam and its questions by a short name."""
    now = timezone.now()
    exam = Exam.objects.create(
        program=program,
        kind="entry",
        title="入学摸底考试",
        mode="online",
        opens_at=now - timedelta(minutes=5),
        closes_at=now + closes_in,
        duration_minutes=60,
    )
    questions = {
        "single1": question("single", "盘问的时限一般不超过几小时？", ["24", "12", "48", "8"]),
        "single2": question("single", "派出所的主责主业是？", ["防范", "破案", "创收", "宣传"]),
        "single3": question("single", "接报警后多久到场？", ["5分钟", "1小时", "半天", "次日"]),
        "multiple": question(
            "multiple", "社区警务包括哪些工作？", ["走访", "矛盾调解", "罚款指标", "经商"], (0, 1)
        ),
        "true_false": question("true_false", "执法记录仪应全程开启。", ["正确", "错误"]),
        "short": question("short_answer", "简述处置群体性事件的要点。"),
    }
    questions_services.exam_questions_set(exam=exam, questions=list(questions.values()))
    return exam, questions


def choice(question_, text):
    return question_.choices.get(text=text)


def start(page, exam):
    """我的考试 → Start: the paper of the trainee's new attempt."""
    page.goto("/exams/mine/")
    page.locator(f'form[action="/exams/{exam.pk}/start/"] button[type=submit]').click()
    page.wait_for_url("**/exams/attempts/*/")
    return Attempt.objects.get(exam=exam)


def trainee_in(program, police_id):
    trainee = factories.trainee(police_id=police_id, name="龚定俊")
    factories.enrollment(program, trainee)
    return trainee


def answer_on_page(page, question_, texts):
    """Tick the options with these texts (a choice question) or type `texts` (a short answer)."""
    fieldset = page.locator(f'fieldset[data-question="{question_.pk}"]')
    if question_.kind == "short_answer":
        fieldset.locator("textarea").fill(texts)
    else:
        for text in texts:
            page.locator(f"#c{choice(question_, text).pk}").check()


def expected(questions, answers):
    """{question id: (sorted choice ids, text)} of `answers` ({name: option texts or text})."""
    result = {}
    for name, given in answers.items():
        question_ = questions[name]
        if question_.kind == "short_answer":
            result[question_.pk] = ([], given)
        else:
            result[question_.pk] = (sorted(choice(question_, text).pk for text in given), "")
    return result


def on_server(attempt):
    """{question id: (sorted choice ids, text)} as stored. The test database is SQLite in
    memory, shared with the live server's threads: a read that meets the server's write fails at
    once ("database table is locked") instead of waiting, so it is tried again."""
    for _ in range(50):
        try:
            return {
                answer.question_id: (sorted(answer.choices), answer.text)
                for answer in Answer.objects.filter(attempt=attempt)
            }
        except OperationalError as error:
            if "locked" not in str(error):
                raise
            time.sleep(0.05)
    raise AssertionError("the test database stayed locked")


def server_has(page, attempt, wanted, seconds=15):
    """True once every answer in `wanted` is stored as given; waits up to `seconds` (the page's
    timers keep running meanwhile, including its resend every five seconds after a failure),
    then returns False."""
    for _ in range(int(seconds * 5)):
        stored = on_server(attempt)
        if all(stored[pk] == value for pk, value in wanted.items()):
            return True
        page.wait_for_timeout(200)
    return False


def not_yet_on_server(attempt, wanted):
    stored = on_server(attempt)
    return all(stored[pk] != value for pk, value in wanted.items())


def unsaved_in_browser(page, attempt):
    """The question ids the page keeps in localStorage, waiting for the server to take them."""
    keys = page.evaluate(
        "key => Object.keys(JSON.parse(localStorage.getItem(key) || '{}'))",
        f"jingxun-exam-{attempt.pk}",
    )
    return sorted(int(key) for key in keys)


def assert_page_shows(page, questions, wanted):
    for question_ in questions.values():
        chosen, text = wanted.get(question_.pk, ([], ""))
        if question_.kind == "short_answer":
            textarea = page.locator(f'textarea[name="t{question_.pk}"]')
            assert textarea.input_value() == text
        else:
            for option in question_.choices.all():
                assert page.locator(f"#c{option.pk}").is_checked() == (option.pk in chosen), (
                    f"{question_.text} {option.text}"
                )


def test_answers_given_offline_reach_the_server_when_the_network_returns(phone, screenshot):
    program = factories.program(title="常州市派出所长素质能力提升专题培训班")
    trainee_in(program, "320401")
    exam, questions = online_exam(program)
    sign_in(phone, "320401", landing="**/timetable/my-day/")
    attempt = start(phone, exam)
    status = phone.locator("#save-status")

    online = {"single1": ["12"], "true_false": ["正确"]}
    for name, given in online.items():
        answer_on_page(phone, questions[name], given)
    assert server_has(phone, attempt, expected(questions, online))
    expect(status).to_contain_text("已保存")

    phone.context.set_offline(True)
    offline = {
        "single1": ["24"],  # answered online, changed offline
        "single2": ["防范"],
        "single3": ["5分钟"],
        "multiple": ["走访", "矛盾调解"],
        "short": SHORT_ANSWER,
    }
    for name, given in offline.items():
        answer_on_page(phone, questions[name], given)
    # The short answer is saved 1.5 s after typing stops: then all five wait, offline.
    expect(status).to_contain_text("5 题待保存（离线", timeout=5000)
    assert unsaved_in_browser(phone, attempt) == sorted(questions[name].pk for name in offline)
    assert not_yet_on_server(attempt, expected(questions, offline))
    single1 = questions["single1"].pk  # still the answer given online
    assert on_server(attempt)[single1] == expected(questions, online)[single1]
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.evaluate("window.scrollTo(0, 0)")
    screenshot(phone, "exam-offline-phone", full_page=False)

    phone.context.set_offline(False)
    everything = expected(questions, {**online, **offline})
    assert server_has(phone, attempt, everything), on_server(attempt)
    expect(status).to_contain_text("已保存")
    assert unsaved_in_browser(phone, attempt) == []

    phone.reload()
    assert_page_shows(phone, questions, everything)
    attempt.refresh_from_db()
    assert attempt.submitted_at is None


def test_answers_given_offline_survive_a_closed_tab(phone):
    program = factories.program()
    trainee_in(program, "320402")
    exam, questions = online_exam(program)
    # Chromium lets the requests a closing tab makes (its pagehide beacon, a fetch under way)
    # through Playwright's offline emulation and page.route; a phone without network would
    # lose them. So this tab has no beacon, and its fetch is cut before it is closed.
    phone.add_init_script("delete Navigator.prototype.sendBeacon")
    sign_in(phone, "320402", landing="**/timetable/my-day/")
    attempt = start(phone, exam)
    assert phone.evaluate("navigator.sendBeacon") is None
    context = phone.context

    context.set_offline(True)
    offline = {"single2": ["破案"], "multiple": ["走访", "经商"], "short": SHORT_ANSWER}
    for name, given in offline.items():
        answer_on_page(phone, questions[name], given)
    phone.locator("#save-status").get_by_text("3 题待保存（离线").wait_for(timeout=5000)
    phone.evaluate("() => { window.fetch = () => Promise.reject(new TypeError('offline')); }")
    phone.wait_for_timeout(300)  # a save already on its way fails meanwhile
    phone.close()  # before the network returns
    # Saves stay blocked until the new tab has shown the answers: they come from localStorage.
    blocked = "**/exams/attempts/*/answer/"
    context.route(blocked, lambda route: route.abort("internetdisconnected"))
    context.set_offline(False)

    page = context.new_page()  # the same browser: its localStorage still has the answers
    page.goto(f"/exams/attempts/{attempt.pk}/")
    wanted = expected(questions, offline)
    assert_page_shows(page, questions, wanted)
    assert not_yet_on_server(attempt, wanted)  # the page shows them from localStorage
    expect(page.locator("#save-status")).to_contain_text("3 题待保存")
    context.unroute(blocked)
    assert server_has(page, attempt, wanted), on_server(attempt)
    expect(page.locator("#save-status")).to_contain_text("已保存")  # sent by this new tab
    assert unsaved_in_browser(page, attempt) == []

    page.reload()  # now from the server
    assert_page_shows(page, questions, wanted)


def test_the_countdown_hands_the_exam_in_at_the_close(phone):
    program = factories.program()
    trainee_in(program, "320403")
    sign_in(phone, "320403", landing="**/timetable/my-day/")
    # The exam closes a few seconds from now, before its 60 minutes are up.
    exam, questions = online_exam(program, closes_in=timedelta(seconds=4))
    attempt = start(phone, exam)
    assert attempt.deadline == exam.closes_at
    answer_on_page(phone, questions["single1"], ["24"])  # the right option

    phone.locator("#exam-done").wait_for(timeout=10_000)
    assert phone.url.endswith(f"/exams/attempts/{attempt.pk}/")
    attempt.refresh_from_db()
    assert attempt.submitted_at is not None
    assert attempt.submitted_at <= exam.closes_at
    assert attempt.status == Attempt.Status.SUBMITTED  # the short answer waits for grading
    assert attempt.score == 2
    assert unsaved_in_browser(phone, attempt) == []


def test_a_signed_out_save_is_kept_on_the_phone_not_reported_saved(phone):
    program = factories.program()
    trainee_in(program, "320404")
    exam, questions = online_exam(program)
    sign_in(phone, "320404", landing="**/timetable/my-day/")
    attempt = start(phone, exam)

    phone.context.clear_cookies()  # the login has expired
    answer_on_page(phone, questions["single2"], ["防范"])

    status = phone.locator("#save-status")
    expect(status).to_contain_text("登录已失效")
    expect(status).to_have_class(re.compile("text-danger"))
    assert unsaved_in_browser(phone, attempt) == [questions["single2"].pk]
    assert on_server(attempt)[questions["single2"].pk] == ([], "")


def test_a_newer_answer_from_a_phone_whose_clock_runs_ahead_is_overwritten_by_a_change(phone):
    program = factories.program()
    trainee_in(program, "320405")
    exam, questions = online_exam(program)
    sign_in(phone, "320405", landing="**/timetable/my-day/")
    attempt = start(phone, exam)
    single2 = questions["single2"]
    ahead = int(time.time() * 1000) + 10 * 60 * 1000  # another phone, ten minutes fast
    Answer.objects.filter(attempt=attempt, question=single2).update(
        choices=[choice(single2, "破案").pk], revision=ahead
    )

    phone.reload()
    answer_on_page(phone, single2, ["防范"])

    wanted = expected(questions, {"single2": ["防范"]})
    assert server_has(phone, attempt, wanted), on_server(attempt)
