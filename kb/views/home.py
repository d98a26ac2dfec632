"""The home page: a welcome, top and newest questions, recent experience posts, tags."""

from django.http import HttpResponse
from django.shortcuts import render

from kb.cache import cache_anonymous_page, cached_fragment, fragment_context
from kb.models import Post
from kb.views.browse import lazy_summaries, popular_tags, summary_queryset

HOME_QUESTIONS = 8
HOME_EXPERIENCES = 4
HOME_TAGS = 20


def _home_lists():
    questions = summary_queryset(Post.objects.questions().visible())
    experiences = summary_queryset(Post.objects.experiences().visible())
    return (
        questions.order_by("-score", "-created_at")[:HOME_QUESTIONS],
        questions.order_by("-created_at", "-id")[:HOME_QUESTIONS],
        experiences.order_by("-created_at", "-id")[:HOME_EXPERIENCES],
    )


@cache_anonymous_page
def home(request):
    top, newest, experiences = lazy_summaries(3, _home_lists)
    context = {
        **fragment_context(),
        "top_questions": top,
        "newest_questions": newest,
        "experiences": experiences,
        "popular_tags": popular_tags(HOME_TAGS),
        "counts": cached_fragment("kind-counts", Post.objects.public().kind_counts),
    }
    return render(request, "kb/home.html", context)


def hello_world(request):
    """Django's least possible page, through the site's middleware: the yardstick `make
    loadtest` measures pages against (DESIGN.md, "Speed of pages")."""
    return HttpResponse("Hello, world", content_type="text/plain")
