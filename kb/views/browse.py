"""Browsing: the question list (sorts, tag filter, pages) and the experience post list.

Every list runs a constant number of queries whatever its length: authors come with
select_related, the tags of all listed posts in one query, counts from the counters on the
row, and the excerpt stored on the row at save (kb/excerpts.py; never the body, never
Markdown per request).
"""

import functools
from collections import defaultdict
from urllib.parse import quote, urlencode

from django.contrib.auth.views import redirect_to_login
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from taggit.models import Tag, TaggedItem

from kb.cache import cache_anonymous_page, cached_fragment, fragment_context
from kb.follows import bookmarked_questions, followed_questions
from kb.models import Post, TagSynonym
from kb.tags import MAX_TAGS, tag_slug

PAGE_SIZE = 20
_SIDEBAR_TAGS = 24

QUESTION_SORTS = {
    "newest": ("Newest", ("-created_at", "-id")),
    "top": ("Top", ("-score", "-created_at", "-id")),
    "unanswered": ("Unanswered", ("-created_at", "-id")),
    "active": ("Active", ("-last_activity_at", "-id")),
}
POST_SORTS = {
    "newest": ("Newest", ("-created_at", "-id")),
    "top": ("Top", ("-score", "-created_at", "-id")),
}


class UnknownTag(Http404):
    def __init__(self, slug: str):
        super().__init__(f"No tag {slug!r}")
        self.slug = slug


# -- helpers shared by the home, list and tag pages ---------------------------------


def summary_queryset(queryset):
    """Posts ready for a summary row: the author and the stored excerpt, not the body."""
    return queryset.with_author().defer("body", "body_html")


def prepare_summaries(*post_lists) -> list[list[Post]]:
    """Evaluate the lists, give each post ``.tag_list`` (one query in all).

    Not prefetch_related("tags"): taggit builds a filtered queryset per post to fill
    the prefetch cache, about half the render time of a 20-item page.
    """
    post_lists = [list(posts) for posts in post_lists]
    every_post = [post for posts in post_lists for post in posts]
    tags_by_post = defaultdict(list)
    items = TaggedItem.objects.filter(
        content_type=ContentType.objects.get_for_model(Post),
        object_id__in={post.pk for post in every_post},
    ).select_related("tag")
    for item in items:
        tags_by_post[item.object_id].append(item.tag)
    # One reverse() per list instead of one per tag link (a third of the links on a page).
    question_url = reverse("kb:question-tagged", args=["-slug-"])
    post_url = reverse("kb:post-list") + "?tag=-slug-"
    for post in every_post:
        post.tag_list = sorted(tags_by_post[post.pk], key=lambda tag: tag.name)
        url = question_url if post.is_question else post_url
        for tag in post.tag_list:  # each item brought its own Tag instance
            tag.list_url = url.replace("-slug-", quote(tag.slug))
    return post_lists


def lazy_summaries(count: int, querysets) -> list[SimpleLazyObject]:
    """The ``count`` lists ``prepare_summaries(*querysets())`` gives, built at most once and
    only when a template first uses one: a page whose ``{% cache %}`` fragment
    (kb.cache.fragment_context) is already cached builds no queryset and runs no query."""
    computed = functools.cache(lambda: prepare_summaries(*querysets()))
    return [SimpleLazyObject(functools.partial(lambda i: computed()[i], i)) for i in range(count)]


def popular_tags(limit: int = _SIDEBAR_TAGS, kind: str | None = None):
    """The most used tags of visible posts, with their count as ``.n``."""
    post_filter = Q(post__is_deleted=False, post__held_reason="")
    if kind:
        post_filter &= Q(post__kind=kind)

    def compute():
        return list(
            Tag.objects.filter(post_filter)
            .annotate(n=Count("post", distinct=True))
            .order_by("-n", "name")[:limit]
        )

    # An aggregate over every tagged post: computed once per content version.
    return cached_fragment(f"popular-tags:{kind}:{limit}", compute)


def resolve_tag_slugs(
    slugs: list[str], select_related: tuple[str, ...] = ()
) -> tuple[list[Tag], list[str] | None]:
    """The tags for these slugs, or the canonical slugs to redirect to when some are synonyms.

    Raises UnknownTag for a slug that is neither a tag nor a synonym, and for a tag that only
    deleted posts carry (its name must not show; a tag no post carries yet still has a page).
    """
    # Exists, not counts: no GROUP BY over the tag and what comes with it, and a popular
    # tag's posts are not all counted to learn that one is shown.
    tagged = Post.objects.filter(tags=OuterRef("pk"))
    tags = (
        Tag.objects.select_related("info", *select_related)
        .filter(slug__in=slugs)
        .annotate(
            shown=Exists(tagged.filter(is_deleted=False, held_reason="")),
            hidden=Exists(tagged.filter(Q(is_deleted=True) | ~Q(held_reason=""))),
        )
    )
    found = {tag.slug: tag for tag in tags if tag.shown or not tag.hidden}
    missing = [slug for slug in slugs if slug not in found]
    if not missing:
        return [found[slug] for slug in slugs], None
    synonyms = {
        tag_slug(source): target_slug
        for source, target_slug in TagSynonym.objects.values_list("source", "target__slug")
    }
    for slug in missing:
        if slug not in synonyms:
            raise UnknownTag(slug)
    canonical = [synonyms.get(slug, slug) for slug in slugs]
    return [], list(dict.fromkeys(canonical))


def split_tag_path(tags_path: str) -> list[str]:
    slugs = list(dict.fromkeys(part for part in tags_path.lower().split("+") if part))
    if not slugs or len(slugs) > MAX_TAGS:
        raise Http404("Give between one and five tags.")
    return slugs


def filter_by_all_tags(queryset, tags):
    for tag in tags:  # one join per tag: a post must carry every one of them
        queryset = queryset.filter(tags=tag)
    return queryset


def tag_not_found(request, slug: str):
    context = {
        "status": 404,
        "title": "No such tag",
        "message": f"There is no tag “{slug[:40]}” yet. Browse all tags or search instead.",
    }
    return render(request, "error.html", context, status=404)


def paginate(request, queryset, per_page: int = PAGE_SIZE):
    # get_page() turns "abc", "0" and "999" into a real page instead of an error.
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def _sort_tabs(base_url: str, sorts: dict, extra: dict | None = None):
    tabs = []
    for key, (label, _) in sorts.items():
        params = {**(extra or {}), "sort": key}
        tabs.append({"key": key, "label": label, "url": f"{base_url}?{urlencode(params)}"})
    return tabs


# ?show= lists of a logged-in member's own questions: (label, filter).
MEMBER_LISTS = {
    "following": ("Following", followed_questions),
    "bookmarks": ("Bookmarks", bookmarked_questions),
}


def _member_tabs(base_url: str, sort: str) -> list[dict]:
    return [
        {"key": key, "label": label, "url": f"{base_url}?{urlencode({'sort': sort, 'show': key})}"}
        for key, (label, _) in MEMBER_LISTS.items()
    ]


def _outcome_filter_urls(base_url: str, sort: str, show: str) -> dict[str, str]:
    """The "all questions" and "with outcomes" links, keeping the sort and member list."""
    params = {"sort": sort, **({"show": show} if show else {})}
    return {
        "all": f"{base_url}?{urlencode(params)}",
        "outcomes": f"{base_url}?{urlencode({**params, 'outcomes': '1'})}",
    }


def _pick_sort(request, sorts: dict) -> str:
    sort = request.GET.get("sort", "newest")
    return sort if sort in sorts else "newest"


# -- views ---------------------------------------------------------------------------


@cache_anonymous_page
def question_list(request, tags_path: str | None = None):
    tags = []
    if tags_path is not None:
        slugs = split_tag_path(tags_path)
        try:
            tags, canonical = resolve_tag_slugs(slugs)
        except UnknownTag as missing:
            return tag_not_found(request, missing.slug)
        if canonical is None and "+".join(slugs) != tags_path:
            canonical = slugs  # "Skills+skills" -> "skills": one URL per tag set
        if canonical:
            url = reverse("kb:question-tagged", args=["+".join(canonical)])
            query = request.GET.urlencode()
            return redirect(f"{url}?{query}" if query else url, permanent=True)

    show = request.GET.get("show", "")
    if show not in MEMBER_LISTS:
        show = ""
    elif not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    sort = _pick_sort(request, QUESTION_SORTS)
    outcomes_only = request.GET.get("outcomes") == "1"
    questions = Post.objects.questions().visible()
    if show:
        questions = MEMBER_LISTS[show][1](questions, request.user)
    if sort == "unanswered":
        questions = questions.filter(answer_count=0)
    if outcomes_only:
        questions = questions.filter(outcome_reported_at__isnull=False)
    questions = filter_by_all_tags(questions, tags).order_by(*QUESTION_SORTS[sort][1])
    page = paginate(request, summary_queryset(questions))
    (summaries,) = lazy_summaries(1, lambda: [page.object_list])

    base_url = request.path
    # What every link of the list keeps: the member list and the outcome filter.
    kept = {**({"show": show} if show else {}), **({"outcomes": "1"} if outcomes_only else {})}
    context = {
        **fragment_context(),
        # A member's own list changes with a follow or a bookmark, which bump no content
        # version: it is never cached. Members' tabs differ from visitors': their own key.
        **({"fragment_seconds": 0} if show else {}),
        "fragment_key": f"{request.get_full_path()}|{int(request.user.is_authenticated)}",
        "page": page,
        "summaries": summaries,
        "sort": sort,
        "sort_label": QUESTION_SORTS[sort][0],
        "show_activity": sort == "active",
        "tabs": _sort_tabs(base_url, QUESTION_SORTS, kept or None),
        "outcomes_only": outcomes_only,
        "outcome_filter_urls": _outcome_filter_urls(base_url, sort, show),
        "show": show,
        "show_label": MEMBER_LISTS[show][0] if show else "",
        "member_tabs": _member_tabs(base_url, sort),
        "query_string": urlencode({"sort": sort, **kept}),
        "filter_tags": tags,
        "sidebar_tags": [] if tags else popular_tags(kind=Post.Kind.QUESTION),
    }
    return render(request, "kb/question_list.html", context)


@cache_anonymous_page
def post_list(request):
    tag = None
    tag_param = request.GET.get("tag", "").strip().lower()
    if tag_param:
        try:
            tags, canonical = resolve_tag_slugs([tag_param])
        except UnknownTag:
            return tag_not_found(request, tag_param)
        if canonical:
            params = {**request.GET.dict(), "tag": canonical[0]}
            return redirect(f"{reverse('kb:post-list')}?{urlencode(params)}", permanent=True)
        tag = tags[0]

    sort = _pick_sort(request, POST_SORTS)
    posts = Post.objects.experiences().visible()
    posts = filter_by_all_tags(posts, [tag] if tag else []).order_by(*POST_SORTS[sort][1])
    page = paginate(request, summary_queryset(posts))
    (page.object_list,) = prepare_summaries(page.object_list)

    extra = {"tag": tag.slug} if tag else {}
    context = {
        "page": page,
        "sort": sort,
        "tabs": _sort_tabs(request.path, POST_SORTS, extra),
        "query_string": urlencode({**extra, "sort": sort}),
        "filter_tag": tag,
        "sidebar_tags": popular_tags(kind=Post.Kind.EXPERIENCE),
    }
    return render(request, "kb/post_list.html", context)
