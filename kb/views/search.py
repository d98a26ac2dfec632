"""The search page and the "similar questions" endpoint the ask form queries as you type."""

import logging

from django.contrib.auth import get_user_model
from django.db.models.functions import Lower
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from kb import search
from kb.ratelimits import rate_limit
from kb.search.query import MAX_QUERY_LENGTH

logger = logging.getLogger("kb.search")

SORT_LABELS = {"relevance": "Relevance", "newest": "Newest", "votes": "Votes"}
SIMILAR_LIMIT = 5


def _page_number(raw: str) -> int:
    return int(raw) if raw.isdigit() and len(raw) < 6 else 1


@require_GET
@rate_limit("search")
def search_page(request):
    raw = request.GET.get("q", "")
    sort = request.GET.get("sort", "relevance")
    sort = sort if sort in SORT_LABELS else "relevance"
    parsed = search.parse(raw)
    results, error = None, None
    if not parsed.is_empty:
        try:
            results = search.search(
                parsed, page=_page_number(request.GET.get("page", "")), sort=sort
            )
        except Exception:
            # A broken index must not break the page: say so, log it, keep the site up.
            logger.exception("Search failed for %r", raw[:200])
            error = "Search is unavailable right now. Please try again in a minute."
    context = {
        "raw_query": raw[:MAX_QUERY_LENGTH],
        "parsed": parsed,
        "results": results,
        "error": error,
        "sort": sort,
        "sort_tabs": [
            {"key": key, "label": label, "url": "?" + urlencode({"q": parsed.raw, "sort": key})}
            for key, label in SORT_LABELS.items()
        ],
        "query_string": urlencode({"q": parsed.raw, "sort": sort}),
        "facet_links": _facet_links(parsed, results, sort),
        "backgrounds": _author_backgrounds(results),
        "suggestion_url": (
            "?" + urlencode({"q": results.suggestion, "sort": sort})
            if results and results.suggestion
            else None
        ),
    }
    status = 503 if error else 200
    return render(request, "kb/search.html", context, status=status)


def _author_backgrounds(results) -> bool:
    """Give each answer and experience hit ``author_background`` (one query for the page)."""
    hits = [hit for hit in results.hits if hit.kind != "question"] if results else []
    if not hits:
        return False
    authors = {hit.author for hit in hits}
    summaries = dict(
        get_user_model()
        .objects.annotate(key=Lower("username"))
        .filter(key__in=authors)
        .exclude(background_summary="")
        .values_list("key", "background_summary")
    )
    for hit in hits:
        hit.author_background = summaries.get(hit.author, "")
    return bool(summaries)


def _narrowed(parsed, tag: str, sort: str) -> str:
    return "?" + urlencode({"q": parsed.with_tag(tag), "sort": sort})


def _facet_links(parsed, results, sort):
    if not results:
        return []
    for hit in results.hits:
        hit.tag_links = [{"name": t, "url": _narrowed(parsed, t, sort)} for t in hit.tags]
    return [
        {"tag": tag, "count": count, "url": _narrowed(parsed, tag, sort)}
        for tag, count in results.facets
    ]


@require_GET
@rate_limit("similar")
def similar_questions(request):
    """Up to five questions like the title being typed: {"results": [{title, url, ...}]}."""
    title = request.GET.get("title", "")[:300]
    try:
        documents = search.similar_to_title(title, SIMILAR_LIMIT)
    except Exception:
        logger.exception("Similar-questions lookup failed")
        return JsonResponse({"results": [], "error": "Search is unavailable."}, status=503)
    return JsonResponse(
        {
            "results": [
                {
                    "title": document.title,
                    "url": document.url,
                    "score": document.score,
                    "answer_count": document.answer_count,
                }
                for document in documents
            ]
        }
    )
