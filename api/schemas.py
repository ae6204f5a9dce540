"""The shapes of the API's answers (OpenAPI components). Scores and hours are numbers with one
decimal; dates and times ISO 8601, Beijing time."""

from datetime import date, datetime

from ninja import Field, Schema
from pydantic import create_model

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
MAX_OFFSET = 1_000_000


class PageQuery(Schema):
    limit: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="items per page")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="items to skip")


def page_of(item, name):
    """The schema of a page of `item`: the count of every item, and this page's."""
    return create_model(
        name,
        __base__=Schema,
        count=(int, ...),
        limit=(int, ...),
        offset=(int, ...),
        items=(list[item], ...),
    )


class Error(Schema):
    detail: str


def answers(ok, *refusals):
    """The documented answers of an operation: `ok` on 200, an Error for each of `refusals`,
    and the gate's 401 (no valid token) and 429 (over the rate limit)."""
    return {200: ok, **dict.fromkeys((*refusals, 401, 429), Error)}


class RowError(Schema):
    row: int | None = Field(description="the row as the spreadsheet numbers it; null: the file")
    field: str = Field(description="the column's header in the file; empty: the file")
    message: str
    hint: str = ""


class ImportErrors(Schema):
    detail: str
    errors: list[RowError] = []


class Program(Schema):
    code: str
    title: str
    kind: str
    start_date: date
    end_date: date
    venue: str
    bureau: str | None = Field(description="the organizing bureau (主办单位)")


class Enrollment(Schema):
    police_id: str
    name: str
    gender: str
    unit: str
    parent_unit: str
    position: str
    phone: str = Field(description="masked: 138****1234")
    group: int | None
    role: str
    status: str


class Group(Schema):
    number: int
    name: str
    host_name: str
    topic: str
    trainees: int = Field(description="active trainees of the client's units in the group")


class Activity(Schema):
    id: int
    kind: str
    title: str
    starts_at: datetime
    ends_at: datetime
    venue: str
    group: int | None = Field(description="null: the whole class")
    speakers: list[str]
    host: str


class Attendance(Schema):
    police_id: str
    name: str
    expected: int = Field(description="the trainee's activities that have ended")
    attended: int
    present: int
    late: int
    minutes_late: int
    left_early: int
    absent: int
    leave: int
    rate: float | None = Field(description="attended over expected, in percent")


class Score(Schema):
    police_id: str
    name: str
    unit: str
    group: int | None
    entry: float | None
    graduation: float | None
    gain: float | None


class EssayGrade(Schema):
    police_id: str
    name: str
    status: str = Field(description="missing, draft, submitted or returned")
    grade: str = Field(description="A 优秀, B 良好, C 合格, D 不合格; empty before a review")
    excellent: bool
    submitted_at: datetime | None
    reviewed_at: datetime | None


class Completion(Schema):
    police_id: str
    name: str
    hours: float = Field(description="study hours (学时): frozen at the close, else so far")
    hours_final: bool
    completed: bool | None = Field(description="null until the program is closed")
    certificate: str | None = Field(description="the certificate's serial number")
    certificate_valid: bool


class Trainee(Schema):
    police_id: str
    name: str
    gender: str
    unit: str
    parent_unit: str
    position: str


class RecordProgram(Schema):
    code: str
    title: str
    start_date: date
    end_date: date
    state: str = Field(description="coming, running, ended or closed")
    status: str = Field(description="active or withdrawn")
    hours: float
    hours_final: bool
    entry: float | None
    graduation: float | None
    gain: float | None
    essay_grade: str
    completed: bool | None
    certificate: str | None
    certificate_valid: bool


class TraineeRecord(Trainee):
    hours: float
    certificates: int
    programs: list[RecordProgram]


class RosterImport(Schema):
    created: int
    updated: int
    unchanged: int
    new_groups: list[int]
    dry_run: bool


ProgramPage = page_of(Program, "ProgramPage")
EnrollmentPage = page_of(Enrollment, "EnrollmentPage")
GroupPage = page_of(Group, "GroupPage")
ActivityPage = page_of(Activity, "ActivityPage")
AttendancePage = page_of(Attendance, "AttendancePage")
ScorePage = page_of(Score, "ScorePage")
EssayGradePage = page_of(EssayGrade, "EssayGradePage")
CompletionPage = page_of(Completion, "CompletionPage")
TraineePage = page_of(Trainee, "TraineePage")
