"""Asking a question, the question page, answering, Markdown preview and tag suggestions."""

import functools
import logging
from html import unescape

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.http import Http404, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.html import strip_tags
from django.views.decorators.http import require_GET, require_POST
from taggit.models import Tag

from kb import moderation, permissions, search
from kb.cache import cache_anonymous_page, fragment_context
from kb.follows import follow_and_bookmark_state
from kb.forms import BODY_MAX, AnswerForm, AskForm, CommentForm, OutcomeForm, QuestionForm
from kb.markdown import render_markdown
from kb.models import (
    CanonicalAnswer,
    Outcome,
    Post,
    PostLink,
    QuestionClosed,
    Vote,
    comments_prefetch,
)
from kb.paths import (
    answers_heading,
    background_filter_key,
    background_filter_options,
    filter_by_background,
)
from kb.ratelimits import limit_reached, rate_limit
from kb.tags import MAX_TAG_LENGTH, MAX_TAGS, parse_tag_input, synonym_targets
from kb.views.errors import too_many_requests

logger = logging.getLogger("kb.questions")

RELATED_TEMPLATE = "kb/includes/related_questions.html"
SIDEBAR_EXPERIENCES = 5
SIDEBAR_KEYS = ("experiences", "post_links", "related_template", "related_questions")
TAG_SUGGESTIONS = 8
REPEAT_MESSAGE = "You had just posted this; here it is (it was sent twice and kept once)."


def compose_post(request, form_class, template: str, success_message: str, action: str):
    """The ask and write-an-experience pages: preview, validate, save, redirect.

    A post counts against the ``action`` rate limit, a preview against the preview limit.
    """
    moderation.check_not_suspended(request.user)
    form = form_class(request.POST or None)
    preview_html = None
    status = 200
    if request.method == "POST":
        refusal = limit_reached(request, "preview" if "preview" in request.POST else action)
        if refusal:
            return too_many_requests(request, refusal.message, refusal.retry_after)
        if "preview" in request.POST:
            # Show what was typed without validating or saving anything.
            form = form_class(initial=request.POST.dict())
            preview_html = render_markdown(request.POST.get("body", "")[:BODY_MAX])
        elif form.is_valid():
            post, created = form.save(author=request.user)
            if created:
                messages.success(request, success_message + moderation.held_note(post))
            else:
                messages.info(request, REPEAT_MESSAGE)
            return redirect(post)
        else:
            status = 400
    context = {"form": form, "preview_html": preview_html}
    return render(request, template, context, status=status)


@login_required
def ask(request):
    return compose_post(
        request, AskForm, "kb/ask.html", "Your question is posted. Good luck!", "question"
    )


def _get_question_for_reader(request, pk: int) -> Post:
    """The question, or 404 when the user may not see it (staff can open a deleted one)."""
    question = get_object_or_404(Post.objects.questions().with_author(), pk=pk)
    if not permissions.can_view(request.user, question):
        raise Http404("This question was deleted.")
    return question


def question_redirect(request, pk: int):
    question = _get_question_for_reader(request, pk)
    return redirect(question, permanent=True)


@cache_anonymous_page  # a cache hit counts no view: the count is of rendered pages
def question_detail(request, pk: int, slug: str):
    question = _get_question_for_reader(request, pk)
    if slug != question.slug:
        return redirect(question, permanent=True)
    # F(): simultaneous readers all count.
    Post.objects.filter(pk=pk).update(view_count=F("view_count") + 1)
    question.view_count += 1
    answer_filter = background_filter_key(request.GET.get("background", ""))
    return _render_question(request, question, answer_filter=answer_filter)


def _answers(question: Post, user) -> list[Post]:
    """Shown answers; the user's own held ones too (all held ones for staff)."""
    accepted_first = Case(
        When(pk=question.accepted_answer_id or 0, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return list(
        question.answers.visible_to(user)
        .with_author()
        .annotate(start_here_tag=_start_here("tag__name"), start_here_slug=_start_here("tag__slug"))
        .prefetch_related(comments_prefetch(user=user))
        .order_by(accepted_first, "-score", "created_at", "id")
    )


def plain_text(html: str) -> str:
    """Text of rendered HTML, entities decoded (the template escapes it once, not twice)."""
    return " ".join(unescape(strip_tags(html)).split())


def revisions_url(post: Post) -> str:
    return reverse("kb:post-revisions", args=[post.pk])


def _experiences_sharing_tags(tags) -> list[Post]:
    if not tags:
        return []
    return list(
        Post.objects.experiences()
        .visible()
        .filter(tags__in=tags)
        .annotate(shared=Count("id"))
        .only("id", "title", "slug", "kind", "score")
        .order_by("-shared", "-score", "-created_at")[:SIDEBAR_EXPERIENCES]
    )


def _related_questions(question: Post) -> dict:
    """The search helper's related-questions box, when it is installed; errors hide it."""
    try:
        template = get_template(RELATED_TEMPLATE)
        related = search.related_questions(question)
    except (TemplateDoesNotExist, AttributeError):
        return {}
    except Exception:
        logger.exception("Related questions failed for question %s", question.pk)
        return {}
    return {"related_template": template, "related_questions": related}


def _post_links(question: Post) -> list[tuple[str, Post]]:
    """Duplicate/related links (from imports): one query, and none for local questions."""
    if not question.source:
        return []
    links = (
        PostLink.objects.filter(Q(from_post=question) | Q(to_post=question))
        .filter(from_post__is_deleted=False, to_post__is_deleted=False)
        .filter(from_post__held_reason="", to_post__held_reason="")
        .exclude(from_post__kind=Post.Kind.ANSWER)
        .exclude(to_post__kind=Post.Kind.ANSWER)
        .select_related("from_post", "to_post")
        .order_by("kind", "id")
    )
    labels = {
        (PostLink.Kind.DUPLICATE, True): "Duplicate of",
        (PostLink.Kind.DUPLICATE, False): "Duplicated by",
        (PostLink.Kind.RELATED, True): "Related",
        (PostLink.Kind.RELATED, False): "Related",
    }
    return [
        (
            labels[link.kind, link.from_post_id == question.pk],
            link.to_post if link.from_post_id == question.pk else link.from_post,
        )
        for link in links
    ]


def _duplicate_links(question: Post) -> dict:
    """The original a closed duplicate points to, and the duplicates of this question.

    One query, and none for a question neither closed nor an original (most of them).
    Imported duplicate links show in ``_post_links`` instead.
    """
    if not (question.is_duplicate or question.duplicate_count):
        return {"duplicate_of": None, "duplicates": []}
    links = (
        PostLink.objects.filter(kind=PostLink.Kind.DUPLICATE)
        .filter(Q(from_post=question) | Q(to_post=question))
        .filter(from_post__is_deleted=False, to_post__is_deleted=False)
        .filter(from_post__held_reason="", to_post__held_reason="")
        .select_related("from_post", "to_post")
        .order_by("-created_at", "-id")
    )
    duplicate_of, duplicates = None, []
    for link in links:
        if link.from_post_id == question.pk:
            duplicate_of = duplicate_of or link.to_post
        else:
            duplicates.append(link.from_post)
    return {
        "duplicate_of": duplicate_of if question.is_duplicate else None,
        "duplicates": duplicates,
    }


def _thread_context(request, question: Post, answer_filter: str = "") -> dict:
    """The question's and answers' context: evaluated only when their fragment isn't cached."""
    # One query, reused by the template; the thread is cached per visitor, so their own
    # held comments can show in it.
    question._shown_comments = question.comments_shown_to(request.user)
    every_answer = _answers(question, request.user)
    answers = filter_by_background(every_answer, answer_filter)
    voted_ids, downvoted_ids = Vote.pressed_arrows(
        request.user, [question.pk, *(answer.pk for answer in answers)]
    )
    options = background_filter_options(
        every_answer, answer_filter, settings.BACKGROUND_FILTER_MIN_ANSWERS
    )
    return {
        "answers": answers,
        "answers_heading": answers_heading(len(answers), len(every_answer), answer_filter),
        "background_filters": options,
        "voted_ids": voted_ids,
        "downvoted_ids": downvoted_ids,
    }


def _start_here(field: str) -> Subquery:
    """The first tag (by name) an answer is "Start here" for: in the answers' own query.
    (An answer marked for several tags shows the first; the tag pages show each.)"""
    marks = CanonicalAnswer.objects.filter(answer=OuterRef("pk")).order_by("tag__name")
    return Subquery(marks.values(field)[:1])


def _outcome(question: Post) -> Outcome | None:
    """The reported outcome: a query only for the few questions that have one."""
    if not question.outcome_reported_at:
        return None
    outcome = Outcome.objects.select_related("author").filter(question=question).first()
    if outcome is not None:
        question.outcome = outcome  # related questions read it (search document): no query
        outcome.question = question  # whether it is anonymous: no query
    return outcome


def _sidebar_context(question: Post, tags) -> dict:
    return {
        "experiences": _experiences_sharing_tags(tags),
        "post_links": _post_links(question),
        **_related_questions(question),
    }


def _lazy(compute, key: str):
    """A template value read from ``compute()``'s dict, which runs at most once and only if
    the template renders a fragment the ``{% cache %}`` tag does not already hold."""
    return SimpleLazyObject(lambda: compute().get(key))


def _render_question(
    request,
    question: Post,
    answer_form=None,
    status: int = 200,
    answer_filter: str = "",
    outcome_form=None,
):
    # Only the cached fragments show the tags: no query while they are cached.
    tags = SimpleLazyObject(lambda: sorted(question.tags.all(), key=lambda tag: tag.name))
    thread = functools.cache(lambda: _thread_context(request, question, answer_filter))
    outcome = _outcome(question)
    sidebar = functools.cache(lambda: _sidebar_context(question, list(tags)))
    if request.user.is_authenticated:
        # A member's cached thread holds their CSRF token: make sure their cookie carries it.
        # (Anonymous threads have no forms, and a token would stop the page cache.)
        get_token(request)
    # Following and bookmarking change no content version: kept out of the cached blocks.
    follow_state = (
        follow_and_bookmark_state(request.user, question) if request.user.is_authenticated else {}
    )
    context = {
        **fragment_context(),
        # The thread shows this visitor's votes, links and forms: one copy per session.
        "thread_key": request.session.session_key or "",
        "question": question,
        "post": question,
        "answers": _lazy(thread, "answers"),
        "answers_heading": _lazy(thread, "answers_heading"),
        "background_filters": _lazy(thread, "background_filters"),
        "answer_filter": answer_filter,
        "tags": tags,
        "voted_ids": _lazy(thread, "voted_ids"),
        "downvoted_ids": _lazy(thread, "downvoted_ids"),
        "outcome": outcome,
        # Kept out of the cached thread: a refused outcome shows its errors and its text.
        "outcome_form": outcome_form
        or OutcomeForm(initial={"body": outcome.body} if outcome else None),
        "can_accept": permissions.can_accept(request.user, question),
        "answer_form": answer_form or AnswerForm(),
        "comment_form": CommentForm(),
        "revisions_url": revisions_url(question),
        "meta_description": plain_text(question.body_html),
        **{key: _lazy(sidebar, key) for key in SIDEBAR_KEYS},
        **follow_state,
        **_duplicate_links(question),
    }
    return render(request, "kb/question_detail.html", context, status=status)


@require_POST
@login_required
@rate_limit("answer")
def answer_create(request, pk: int):
    moderation.check_not_suspended(request.user)
    question = get_object_or_404(Post.objects.questions().visible().with_author(), pk=pk)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return _render_question(request, question, answer_form=form, status=400)
    try:
        answer, created = form.save(question, request.user)
    except QuestionClosed as refusal:
        question.refresh_from_db()
        messages.error(request, str(refusal))
        return _render_question(request, question, answer_form=form, status=409)
    if created:
        messages.success(request, "Thanks for your answer!" + moderation.held_note(answer))
    else:
        messages.info(request, REPEAT_MESSAGE)
    return redirect(answer.get_absolute_url())


@require_POST
@login_required
@rate_limit("preview")
def markdown_preview(request):
    """{"html": ...}: the same renderer as the saved post, for the live preview."""
    return JsonResponse({"html": render_markdown(request.POST.get("body", "")[:BODY_MAX])})


@require_GET
def tag_suggest(request):
    """Existing tags starting with ``q``, most used first: [{"name", "count"}]."""
    prefix = request.GET.get("q", "").strip().lower()[:MAX_TAG_LENGTH]
    if not prefix:
        return JsonResponse([], safe=False)
    tags = (
        Tag.objects.filter(name__startswith=prefix)
        .annotate(
            count=Count(
                "post", filter=Q(post__is_deleted=False, post__held_reason=""), distinct=True
            )
        )
        .filter(count__gt=0)  # a tag only deleted posts carry is not suggested
        .order_by("-count", "name")
        .values("name", "count")[:TAG_SUGGESTIONS]
    )
    return JsonResponse(list(tags), safe=False)


@require_GET
def tag_status(request):
    """For the tags field's live preview: {"tags": [{"name", "tag", "count"}]}.

    ``name`` is a tag as parsed from ``q`` (the field's text), ``tag`` the tag it will be
    filed under (synonyms resolved: ``faang`` -> ``big-tech``) and ``count`` how many visible
    posts carry that tag (0: a new tag, shown as such).
    """
    text = request.GET.get("q", "")[: QuestionForm.base_fields["tags"].max_length]
    names = parse_tag_input(text)[: MAX_TAGS * 2]  # the preview flags extra ones on its own
    synonyms = synonym_targets(names)
    targets = {name: synonyms.get(name, name) for name in names}
    counts = dict(
        Tag.objects.filter(name__in=set(targets.values()))
        .annotate(
            count=Count(
                "post", filter=Q(post__is_deleted=False, post__held_reason=""), distinct=True
            )
        )
        .values_list("name", "count")
    )
    tags = [
        {"name": name, "tag": tag, "count": counts.get(tag, 0)} for name, tag in targets.items()
    ]
    return JsonResponse({"tags": tags})
