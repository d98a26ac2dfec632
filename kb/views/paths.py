"""/paths/: the career moves experience posts tell, counted, filtered and charted.

Constant queries: the role filter's synonyms (only when a role is given), the transitions
(cached under the content version, like the other lists' aggregates) and the stories of the
chosen move.
"""

import hashlib
from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import reverse
from django.utils.text import Truncator
from django.views.decorators.http import require_GET

from kb.cache import cache_anonymous_page, cached_fragment
from kb.models import CareerMove, Post
from kb.paths import normalise_roles, role_label, role_text

CHART_BARS = 8
STORIES_SHOWN = 50
# However many moves members tell, a page lists the most told (a filter finds the others)
# and suggests the roles of the most told moves.
TRANSITIONS_SHOWN = 100
ROLE_SUGGESTIONS = 200
# The chart's geometry in CSS pixels; labels longer than fit a phone are cut.
ROW_HEIGHT, BAR_HEIGHT, LABEL_GAP, CHART_LABEL_CHARS = 42, 14, 20, 38
MAX_BAR_PERCENT = 90  # the rest holds the count after the longest bar


@require_GET
@cache_anonymous_page
def path_list(request):
    from_role, to_role = normalise_roles([request.GET.get("from", ""), request.GET.get("to", "")])
    every = _all_transitions()
    shown = [
        row
        for row in every
        if (not from_role or row["from_role"] == from_role)
        and (not to_role or row["to_role"] == to_role)
    ]
    context = {
        "from_role": from_role,
        "to_role": to_role,
        "transitions": [_with_url(row) for row in shown[:TRANSITIONS_SHOWN]],
        "more_transitions": max(len(shown) - TRANSITIONS_SHOWN, 0),
        "story_total": sum(row["stories"] for row in shown),
        "roles": _role_suggestions(every),
        "chart": _chart(every[:CHART_BARS]),
        "stories": _stories(from_role, to_role) if from_role or to_role else [],
        "filtered": bool(from_role or to_role),
    }
    return render(request, "kb/paths.html", context)


def _role_suggestions(transitions: list[dict]) -> list[str]:
    """The roles of the most told moves (``transitions`` come most told first), sorted."""
    roles = {}
    for row in transitions:
        roles.setdefault(row["from_role"], None)
        roles.setdefault(row["to_role"], None)
        if len(roles) >= ROLE_SUGGESTIONS:
            break
    return sorted(roles)[:ROLE_SUGGESTIONS]


def _all_transitions() -> list[dict]:
    return cached_fragment("paths:transitions", lambda: list(CareerMove.objects.transitions()))


def _with_url(row: dict) -> dict:
    return {
        **row,
        "from_label": role_label(row["from_role"]),
        "to_text": role_text(row["to_role"]),
        "url": transition_url(row["from_role"], row["to_role"]),
    }


def transition_url(from_role: str, to_role: str) -> str:
    return reverse("kb:paths") + "?" + urlencode({"from": from_role, "to": to_role})


def _stories(from_role: str, to_role: str) -> list[Post]:
    key = hashlib.sha256(f"{from_role}\n{to_role}".encode()).hexdigest()[:24]
    return cached_fragment(f"paths:stories:{key}", lambda: _find_stories(from_role, to_role))


def _find_stories(from_role: str, to_role: str) -> list[Post]:
    posts = Post.objects.experiences().visible().exclude(career_move=None)
    if from_role:
        posts = posts.filter(career_move__from_role=from_role)
    if to_role:
        posts = posts.filter(career_move__to_role=to_role)
    posts = (
        posts.with_author()
        .select_related("career_move")
        .defer("body", "body_html")
        .order_by("-score", "-created_at", "-id")
    )
    return list(posts[:STORIES_SHOWN])


def _chart(rows: list[dict]) -> dict | None:
    """Bars of the most told moves, laid out here so the template only draws them.

    No viewBox: text keeps its size on a phone; bar widths are percentages of the width.
    """
    if not rows:
        return None
    most = max(row["stories"] for row in rows)
    bars = [
        {
            **_with_url(row),
            "label": Truncator(
                f"{role_label(row['from_role'])} → {role_text(row['to_role'])}"
            ).chars(CHART_LABEL_CHARS),
            "label_y": index * ROW_HEIGHT + 14,
            "bar_y": index * ROW_HEIGHT + LABEL_GAP,
            "percent": max(round(MAX_BAR_PERCENT * row["stories"] / most), 2),
            "count_x": max(round(MAX_BAR_PERCENT * row["stories"] / most), 2) + 2,
            "count_y": index * ROW_HEIGHT + LABEL_GAP + BAR_HEIGHT - 2,
        }
        for index, row in enumerate(rows)
    ]
    return {"bars": bars, "height": len(rows) * ROW_HEIGHT, "bar_height": BAR_HEIGHT}
