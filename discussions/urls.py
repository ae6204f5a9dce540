from django.urls import path

from discussions.views import essays, forum, records

app_name = "discussions"

program = "programs/<slug:code>/"

urlpatterns = [
    # 分组讨论: records of each group's discussion and their ideas (金点子).
    path("mine/discussions/", records.my_discussions, name="my-discussions"),
    path(f"{program}records/", records.record_list, name="record-list"),
    path(
        f"{program}records/<int:activity>/<int:group>/",
        records.record_detail,
        name="record-detail",
    ),
    # Naming the recorder or adding an idea may come before the record's first save (which
    # creates it), so these say which group of which discussion, as the record's page does.
    path(
        f"{program}records/<int:activity>/<int:group>/recorder/",
        records.record_recorder,
        name="record-recorder",
    ),
    path(
        f"{program}records/<int:activity>/<int:group>/ideas/",
        records.idea_add,
        name="idea-add",
    ),
    path(f"{program}records/<int:pk>/share/", records.record_share, name="record-share"),
    path(f"{program}ideas/<int:pk>/delete/", records.idea_delete, name="idea-delete"),
    path(f"{program}ideas/<int:pk>/star/", records.idea_star, name="idea-star"),
    path(f"{program}ideas/", records.idea_list, name="idea-list"),
    path(f"{program}ideas/export.docx", records.idea_export, name="idea-export"),
    # 所长论坛: the chiefs' forum.
    path(f"{program}forum/", forum.forum, name="forum"),
    path(f"{program}forum/add/", forum.forum_talk_create, name="forum-add"),
    path(f"{program}forum/<int:pk>/edit/", forum.forum_talk_update, name="forum-edit"),
    path(f"{program}forum/<int:pk>/delete/", forum.forum_talk_delete, name="forum-delete"),
    path(f"{program}forum/<int:pk>/slides/", forum.forum_slides, name="forum-slides"),
    # 学习心得体会: the trainee's essay, and its review.
    path("mine/essay/", essays.my_essay, name="my-essay"),
    path(f"{program}essay/", essays.essay_edit, name="essay-edit"),
    path(f"{program}essay/save/", essays.essay_save, name="essay-save"),
    path(f"{program}essay/submit/", essays.essay_submit, name="essay-submit"),
    path(
        f"{program}essay/revisions/<int:pk>/restore/",
        essays.essay_restore,
        name="essay-restore",
    ),
    path(f"{program}essays/", essays.essay_list, name="essay-list"),
    path(f"{program}essays/export.docx", essays.essay_export, name="essay-export"),
    path(f"{program}essays/reviewers/", essays.essay_reviewers, name="essay-reviewers"),
    path(f"{program}essays/<int:pk>/", essays.essay_review, name="essay-review"),
    path(f"{program}essays/<int:pk>/return/", essays.essay_return, name="essay-return"),
    path(f"{program}essays/<int:pk>/extend/", essays.essay_extend, name="essay-extend"),
]
