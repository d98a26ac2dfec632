"""The home page: a welcome, top and newest questions, recent experience posts, tags."""

from django.db.models import prefetch_related_objects
from django.shortcuts import render

from kb.cache import cache_anonymous_page, cached_fragment
from kb.models import Post
from kb.views.browse import popular_tags, summary_queryset, tags_prefetch, with_excerpts

HOME_QUESTIONS = 8
HOME_EXPERIENCES = 4
HOME_TAGS = 20


def _summaries(queryset, limit):
    # Tags are prefetched once for all three lists below, not once per list.
    return with_excerpts(summary_queryset(queryset).prefetch_related(None)[:limit])


@cache_anonymous_page
def home(request):
    questions = Post.objects.questions().visible()
    top = _summaries(questions.order_by("-score", "-created_at"), HOME_QUESTIONS)
    newest = _summaries(questions.order_by("-created_at", "-id"), HOME_QUESTIONS)
    experiences = _summaries(
        Post.objects.experiences().visible().order_by("-created_at", "-id"), HOME_EXPERIENCES
    )
    prefetch_related_objects(top + newest + experiences, tags_prefetch())
    context = {
        "top_questions": top,
        "newest_questions": newest,
        "experiences": experiences,
        "popular_tags": popular_tags(HOME_TAGS),
        "counts": cached_fragment("kind-counts", Post.objects.visible().kind_counts),
    }
    return render(request, "kb/home.html", context)
