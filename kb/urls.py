"""URL map. The ``kb`` namespace holds the knowledge base; ``accounts`` the users."""

from django.contrib import admin
from django.urls import include, path

from kb.views import errors, home, placeholder

handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error

kb_patterns = [
    path("", home.home, name="home"),
    path("questions/", placeholder.not_yet, name="question-list"),
    path("questions/ask/", placeholder.not_yet, name="question-ask"),
    path("questions/<int:pk>/<slug:slug>/", placeholder.not_yet, name="question-detail"),
    path("posts/", placeholder.not_yet, name="post-list"),
    path("posts/<int:pk>/<slug:slug>/", placeholder.not_yet, name="post-detail"),
    path("tags/", placeholder.not_yet, name="tag-list"),
    path("search/", placeholder.not_yet, name="search"),
]

urlpatterns = [
    path("", include((kb_patterns, "kb"))),
    path("", include("accounts.urls")),
    path("admin/", admin.site.urls),
]
