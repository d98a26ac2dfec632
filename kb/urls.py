"""URL map. The ``kb`` namespace holds the knowledge base; ``accounts`` the users."""

from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.generic import TemplateView

from kb import feeds
from kb.sitemaps import SITEMAPS
from kb.views import (
    actions,
    browse,
    close,
    edit,
    email,
    errors,
    home,
    imports,
    inbox,
    moderation,
    outcomes,
    paths,
    posts,
    questions,
    search,
    tags,
)

handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error

kb_patterns = [
    path("", home.home, name="home"),
    path("-/hello/", home.hello_world, name="hello-world"),
    path("questions/", browse.question_list, name="question-list"),
    path("questions/tagged/<str:tags_path>/", browse.question_list, name="question-tagged"),
    path("questions/ask/", questions.ask, name="question-ask"),
    # Action routes above the detail route: their last part would also match a slug.
    path("questions/<int:pk>/answer/", questions.answer_create, name="answer-create"),
    path(
        "questions/<int:pk>/accept/<int:answer_pk>/",
        actions.question_accept,
        name="question-accept",
    ),
    path("questions/<int:pk>/follow/", inbox.question_follow, name="question-follow"),
    path("questions/<int:pk>/bookmark/", inbox.question_bookmark, name="question-bookmark"),
    path("questions/<int:pk>/unaccept/", actions.question_unaccept, name="question-unaccept"),
    path("questions/<int:pk>/outcome/", outcomes.outcome_save, name="outcome-save"),
    path(
        "questions/<int:pk>/outcome/consent/",
        outcomes.outcome_consent,
        name="outcome-consent",
    ),
    path("questions/<int:pk>/close/", close.question_close, name="question-close"),
    path("questions/<int:pk>/reopen/", close.question_reopen, name="question-reopen"),
    path("questions/<int:pk>/", questions.question_redirect, name="question-short"),
    path("questions/<int:pk>/<slug:slug>/", questions.question_detail, name="question-detail"),
    path("posts/new/", posts.post_create, name="post-create"),
    path("posts/<int:pk>/vote/", actions.post_vote, name="post-vote"),
    path("posts/<int:pk>/edit/", edit.post_edit, name="post-edit"),
    path("posts/<int:pk>/reconfirm/", outcomes.post_reconfirm, name="post-reconfirm"),
    path("posts/<int:pk>/canonical/", outcomes.answer_mark_canonical, name="answer-canonical"),
    path("posts/<int:pk>/revisions/", edit.post_revisions, name="post-revisions"),
    path("posts/<int:pk>/delete/", edit.post_delete, name="post-delete"),
    path("posts/<int:pk>/restore/", edit.post_restore, name="post-restore"),
    path("posts/<int:pk>/comments/", actions.comment_create, name="comment-create"),
    path("comments/<int:pk>/delete/", actions.comment_delete, name="comment-delete"),
    path("preview/", questions.markdown_preview, name="markdown-preview"),
    path("posts/", browse.post_list, name="post-list"),
    path("posts/<int:pk>/", posts.post_redirect, name="post-short"),
    path("posts/<int:pk>/<slug:slug>/", posts.post_detail, name="post-detail"),
    path("paths/", paths.path_list, name="paths"),
    path("tags/", tags.tag_list, name="tag-list"),
    path("tags/suggest/", questions.tag_suggest, name="tag-suggest"),
    path("tags/status/", questions.tag_status, name="tag-status"),
    path("tags/synonyms/", tags.synonym_list, name="tag-synonyms"),
    path("tags/synonyms/add/", tags.synonym_add, name="tag-synonym-add"),
    path("tags/synonyms/<int:pk>/delete/", tags.synonym_delete, name="tag-synonym-delete"),
    # Fixed tags/... routes (synonyms, suggest) must stay above this catch-all.
    path("tags/<str:slug>/", tags.tag_detail, name="tag-detail"),
    path("tags/<str:slug>/edit/", tags.tag_edit, name="tag-edit"),
    path("tags/<str:slug>/follow/", inbox.tag_follow, name="tag-follow"),
    path(
        "tags/<str:slug>/canonical/remove/",
        outcomes.tag_unmark_canonical,
        name="tag-canonical-remove",
    ),
    path("feeds/questions/", feeds.NewestQuestionsFeed(), name="feed-questions"),
    path("feeds/posts/", feeds.ExperiencePostsFeed(), name="feed-posts"),
    path("feeds/tags/<str:slug>/", feeds.TagFeed(), name="feed-tag"),
    path("search/", search.search_page, name="search"),
    path("inbox/", inbox.inbox, name="inbox"),
    path("inbox/read/", inbox.inbox_mark_all_read, name="inbox-read"),
    path("accounts/settings/email/", email.email_settings, name="email-settings"),
    path("email/unsubscribe/<str:token>/", email.unsubscribe, name="email-unsubscribe"),
    path("import/", imports.import_page, name="import"),
    path("flag/<str:kind>/<int:pk>/", moderation.flag_item, name="flag"),
    path("review/", moderation.review, name="review"),
    path("review/members/<int:pk>/suspend/", moderation.member_suspend, name="member-suspend"),
    path(
        "review/members/<int:pk>/unsuspend/", moderation.member_unsuspend, name="member-unsuspend"
    ),
    path("review/members/<int:pk>/hide/", moderation.member_hide_content, name="member-hide"),
    # Below the members/ routes: "members" would match its kind.
    path(
        "review/<str:kind>/<int:pk>/<str:action>/", moderation.review_action, name="review-action"
    ),
    path("search/similar/", search.similar_questions, name="search-similar"),
]

urlpatterns = [
    path("", include((kb_patterns, "kb"))),
    path("", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
        name="robots",
    ),
]
