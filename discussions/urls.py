from django.urls import path

from discussions import essay_views, forum_views, record_views

app_name = "discussions"

program = "programs/<slug:code>/"

urlpatterns = [
    # 分组讨论: records of each group's discussion and their ideas (金点子).
    path("mine/discussions/", record_views.my_discussions, name="my-discussions"),
    path(f"{program}records/", record_views.record_list, name="record-list"),
    path(
        f"{program}records/<int:activity>/<int:group>/",
        record_views.record_detail,
        name="record-detail",
    ),
    # Naming the recorder or adding an idea may come before the record's first save (which
    # creates it), so these say which group of which discussion, as the record's page does.
    path(
        f"{program}records/<int:activity>/<int:group>/recorder/",
        record_views.record_recorder,
        name="record-recorder",
    ),
    path(
        f"{program}records/<int:activity>/<int:group>/ideas/",
        record_views.idea_add,
        name="idea-add",
    ),
    path(f"{program}records/<int:pk>/share/", record_views.record_share, name="record-share"),
    path(f"{program}ideas/<int:pk>/delete/", record_views.idea_delete, name="idea-delete"),
    path(f"{program}ideas/<int:pk>/star/", record_views.idea_star, name="idea-star"),
    path(f"{program}ideas/", record_views.idea_list, name="idea-list"),
    path(f"{program}ideas/export.docx", record_views.idea_export, name="idea-export"),
    # 所长论坛: the chiefs' forum.
    path(f"{program}forum/", forum_views.forum, name="forum"),
    path(f"{program}forum/add/", forum_views.forum_talk_create, name="forum-add"),
    path(f"{program}forum/<int:pk>/edit/", forum_views.forum_talk_update, name="forum-edit"),
    path(f"{program}forum/<int:pk>/delete/", forum_views.forum_talk_delete, name="forum-delete"),
    path(f"{program}forum/<int:pk>/slides/", forum_views.forum_slides, name="forum-slides"),
    # 学习心得体会: the trainee's essay, and its review.
    path("mine/essay/", essay_views.my_essay, name="my-essay"),
    path(f"{program}essay/", essay_views.essay_edit, name="essay-edit"),
    path(f"{program}essay/save/", essay_views.essay_save, name="essay-save"),
    path(f"{program}essay/submit/", essay_views.essay_submit, name="essay-submit"),
    path(
        f"{program}essay/revisions/<int:pk>/restore/",
        essay_views.essay_restore,
        name="essay-restore",
    ),
    path(f"{program}essays/", essay_views.essay_list, name="essay-list"),
    path(f"{program}essays/export.docx", essay_views.essay_export, name="essay-export"),
    path(f"{program}essays/reviewers/", essay_views.essay_reviewers, name="essay-reviewers"),
    path(f"{program}essays/<int:pk>/", essay_views.essay_review, name="essay-review"),
    path(f"{program}essays/<int:pk>/return/", essay_views.essay_return, name="essay-return"),
    path(f"{program}essays/<int:pk>/extend/", essay_views.essay_extend, name="essay-extend"),
]
