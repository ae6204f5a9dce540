from django.contrib import admin

from exams.models import (
    Answer,
    Attempt,
    Choice,
    Exam,
    ExamQuestion,
    Question,
    ScoreChange,
)


class AnsweredReadOnly:
    """The options of a question trainees have answered stay as they were graded."""

    def answered(self, obj):
        question = getattr(obj, "question", obj)  # the inline is given the question
        return question is not None and question.answers.exists()

    def has_add_permission(self, request, *obj):
        return not self.answered(obj[0] if obj else None) and super().has_add_permission(
            request, *obj
        )

    def has_change_permission(self, request, obj=None):
        return not self.answered(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self.answered(obj) and super().has_delete_permission(request, obj)


class ChoiceInline(AnsweredReadOnly, admin.TabularInline):
    model = Choice
    extra = 0


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "kind", "category", "points"]
    list_filter = ["kind", "category"]
    search_fields = ["text", "category", "explanation"]
    inlines = [ChoiceInline]


@admin.register(Choice)
class ChoiceAdmin(AnsweredReadOnly, admin.ModelAdmin):
    list_display = ["text", "question", "is_correct"]
    list_filter = ["is_correct", "question__kind"]
    search_fields = ["text", "question__text"]
    raw_id_fields = ["question"]


class FrozenOnceStarted:
    """An exam's questions are frozen once a trainee has started it (as services say)."""

    def started(self, obj):
        exam = getattr(obj, "exam", obj)  # the inline is given the exam, the admin its row
        return exam is not None and exam.attempts.filter(started_at__isnull=False).exists()

    def has_add_permission(self, request, *obj):  # inlines are given the exam, admins not
        return not self.started(obj[0] if obj else None) and super().has_add_permission(
            request, *obj
        )

    def has_change_permission(self, request, obj=None):
        return not self.started(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self.started(obj) and super().has_delete_permission(request, obj)


class ExamQuestionInline(FrozenOnceStarted, admin.TabularInline):
    model = ExamQuestion
    extra = 0
    raw_id_fields = ["question"]


@admin.register(Exam)
class ExamAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "mode", "program", "opens_at", "closes_at", "released_at"]
    list_filter = ["kind", "mode", "program"]
    search_fields = ["title", "program__code"]
    list_select_related = ["program"]
    inlines = [ExamQuestionInline]


@admin.register(ExamQuestion)
class ExamQuestionAdmin(FrozenOnceStarted, admin.ModelAdmin):
    list_display = ["exam", "order", "question", "points"]
    list_filter = ["exam__program", "exam"]
    search_fields = ["question__text", "exam__title"]
    list_select_related = ["exam", "question"]
    raw_id_fields = ["exam", "question"]


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    list_display = ["exam", "enrollment", "status", "score", "started_at", "submitted_at"]
    list_filter = ["status", "exam__program", "exam"]
    search_fields = ["enrollment__trainee__name", "enrollment__trainee__police_id"]
    list_select_related = ["exam", "enrollment__trainee", "enrollment__program"]
    raw_id_fields = ["exam", "enrollment"]

    def get_readonly_fields(self, request, obj=None):
        # A score changes on the grading pages, which keep each change (ScoreChange).
        return ["score"] if obj else []


@admin.register(Answer)
class AnswerAdmin(admin.ModelAdmin):
    list_display = ["attempt", "question", "points_awarded", "graded_by"]
    list_filter = ["attempt__exam"]
    search_fields = ["text", "attempt__enrollment__trainee__name"]
    list_select_related = ["question", "graded_by"]
    raw_id_fields = ["attempt", "question", "graded_by"]

    def get_readonly_fields(self, request, obj=None):
        # Points change on the grading page, which keeps each change (ScoreChange).
        return ["points_awarded", "graded_by"] if obj else []


@admin.register(ScoreChange)
class ScoreChangeAdmin(admin.ModelAdmin):
    list_display = ["attempt", "question", "old_score", "new_score", "changed_by", "changed_at"]
    list_filter = ["reason", "attempt__exam"]
    search_fields = ["attempt__enrollment__trainee__name", "reason"]
    list_select_related = ["attempt", "question", "changed_by"]
    raw_id_fields = ["attempt", "question", "changed_by"]

    def has_change_permission(self, request, obj=None):
        return False  # the history of scores is not edited
