"""Tags: the tag index, tag pages with a staff-edited description, and synonyms staff manage."""

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_POST
from taggit.models import Tag

from kb.cache import cache_anonymous_page, cached_fragment, fragment_context
from kb.follows import tag_follow_state
from kb.models import Post, TagInfo, TagSynonym
from kb.tags import MAX_TAG_LENGTH, get_or_create_tags, parse_tag_input, validate_tag_names
from kb.views.browse import (
    UnknownTag,
    lazy_summaries,
    paginate,
    resolve_tag_slugs,
    summary_queryset,
    tag_not_found,
)

TAGS_PER_PAGE = 60
TAG_PAGE_QUESTIONS = 15
TAG_PAGE_EXPERIENCES = 5
TAG_SORTS = {"popular": ("Popular", ("-n", "name")), "name": ("Name", ("name",))}


class TagInfoForm(forms.ModelForm):
    class Meta:
        model = TagInfo
        fields = ["description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4, "maxlength": 2000})}
        help_texts = {"description": "One or two sentences: what belongs under this tag."}


class SynonymForm(forms.Form):
    source = forms.CharField(
        label="Synonym", max_length=MAX_TAG_LENGTH, help_text="The name people type, e.g. faang."
    )
    target = forms.CharField(
        label="Main tag", max_length=MAX_TAG_LENGTH, help_text="The tag it means, e.g. big-tech."
    )

    def _tag_name(self, field):
        names = parse_tag_input(self.cleaned_data[field])
        if len(names) != 1:
            raise ValidationError("Give exactly one tag name.")
        validate_tag_names(names)
        return names[0]

    def clean_source(self):
        name = self._tag_name("source")
        if TagSynonym.objects.filter(source=name).exists():
            raise ValidationError(f"“{name}” is already a synonym.")
        if TagSynonym.objects.filter(target__name=name).exists():
            raise ValidationError(f"“{name}” is the main tag of other synonyms; it cannot be one.")
        return name

    def clean_target(self):
        name = self._tag_name("target")
        if TagSynonym.objects.filter(source=name).exists():
            raise ValidationError(f"“{name}” is itself a synonym; pick its main tag instead.")
        return name

    def clean(self):
        data = super().clean()
        if data.get("source") and data.get("source") == data.get("target"):
            raise ValidationError("A tag cannot be a synonym of itself.")
        return data


def _require_staff(request) -> None:
    if not request.user.is_staff:
        raise PermissionDenied("Only staff can do this.")


def _tag_or_redirect(slug: str):
    """(tag, None) for a tag slug, (None, canonical slug) for a synonym; UnknownTag else."""
    # The start-here answer comes in the tag's query: the page shows it at the top.
    tags, canonical = resolve_tag_slugs([slug], select_related=START_HERE_FIELDS)
    return (tags[0], None) if tags else (None, canonical[0])


START_HERE_FIELDS = ("canonical_answer__answer__author", "canonical_answer__answer__parent")


def _start_here(tag):
    """The tag's start-here answer (brought with the tag) if readers may see it, else None."""
    try:
        mark = tag.canonical_answer
    except ObjectDoesNotExist:
        return None
    return mark if mark.answer.is_public else None


# -- the tag index ---------------------------------------------------------------------


@cache_anonymous_page
def tag_list(request):
    query = request.GET.get("q", "").strip().lower()[:MAX_TAG_LENGTH]
    sort = request.GET.get("sort", "popular")
    sort = sort if sort in TAG_SORTS else "popular"
    tags = (
        Tag.objects.filter(post__is_deleted=False, post__held_reason="")
        .annotate(n=Count("post", distinct=True))
        .select_related("info")
        .order_by(*TAG_SORTS[sort][1])
    )
    if query:
        tags = tags.filter(name__icontains=query)
    page = paginate(request, tags, TAGS_PER_PAGE)
    params = {"q": query, "sort": sort} if query else {"sort": sort}
    context = {
        "page": page,
        "query": query,
        "sort": sort,
        "sorts": [(key, label) for key, (label, _) in TAG_SORTS.items()],
        "query_string": urlencode(params),
    }
    return render(request, "kb/tag_list.html", context)


# -- one tag -----------------------------------------------------------------------------


def _tagged_posts(tag):
    return Post.objects.visible().filter(tags=tag)


def _tag_counts(tag) -> dict:
    return _tagged_posts(tag).aggregate(
        questions=Count("id", filter=Q(kind=Post.Kind.QUESTION)),
        experiences=Count("id", filter=Q(kind=Post.Kind.EXPERIENCE)),
    )


def _tag_lists(tag):
    posts = _tagged_posts(tag).order_by("-created_at", "-id")
    return (
        summary_queryset(posts.questions())[:TAG_PAGE_QUESTIONS],
        summary_queryset(posts.experiences())[:TAG_PAGE_EXPERIENCES],
    )


def _tag_page_context(tag, form=None):
    counts = cached_fragment(f"tag-counts:{tag.pk}", lambda: _tag_counts(tag))
    questions, experiences = lazy_summaries(2, lambda: _tag_lists(tag))
    info = getattr(tag, "info", None)
    return {
        **fragment_context(),
        "tag": tag,
        "info": info,
        "counts": counts,
        "questions": questions,
        "experiences": experiences,
        "start_here": _start_here(tag),
        # Only staff see the form: nobody else pays for building it.
        "form": form or SimpleLazyObject(lambda: TagInfoForm(instance=info)),
    }


@cache_anonymous_page
def tag_detail(request, slug):
    try:
        tag, canonical = _tag_or_redirect(slug.lower())
    except UnknownTag:
        return tag_not_found(request, slug)
    if canonical or tag.slug != slug:
        return redirect("kb:tag-detail", slug=canonical or tag.slug, permanent=True)
    context = _tag_page_context(tag) | tag_follow_state(request.user, tag)
    return render(request, "kb/tag_detail.html", context)


@require_POST
@login_required
def tag_edit(request, slug):
    _require_staff(request)
    tag = get_object_or_404(Tag.objects.select_related("info"), slug=slug)
    info = getattr(tag, "info", None) or TagInfo(tag=tag)
    form = TagInfoForm(request.POST, instance=info)
    if not form.is_valid():
        context = _tag_page_context(tag, form) | tag_follow_state(request.user, tag)
        return render(request, "kb/tag_detail.html", context, status=400)
    info = form.save(commit=False)
    info.updated_by = request.user
    info.save()
    messages.success(request, f"The description of “{tag.name}” is saved.")
    return redirect("kb:tag-detail", slug=tag.slug)


# -- synonyms ----------------------------------------------------------------------------


def _render_synonyms(request, form, status=200):
    synonyms = TagSynonym.objects.select_related("target")
    context = {"synonyms": synonyms, "form": form}
    return render(request, "kb/synonyms.html", context, status=status)


@login_required
def synonym_list(request):
    _require_staff(request)
    return _render_synonyms(request, SynonymForm())


@require_POST
@login_required
def synonym_add(request):
    _require_staff(request)
    form = SynonymForm(request.POST)
    if not form.is_valid():
        return _render_synonyms(request, form, status=400)
    source, target_name = form.cleaned_data["source"], form.cleaned_data["target"]
    try:
        with transaction.atomic():
            target = get_or_create_tags([target_name])[0]
            synonym = TagSynonym.objects.create(source=source, target=target)
            moved = synonym.retag_existing_posts()
    except IntegrityError:  # another staff member added the same synonym a moment ago
        form.add_error("source", f"“{source}” is already a synonym.")
        return _render_synonyms(request, form, status=400)
    messages.success(
        request,
        f"“{source}” now means “{target.name}”; {len(moved)} post{'s' * (len(moved) != 1)} "
        "re-tagged.",
    )
    return redirect("kb:tag-synonyms")


@require_POST
@login_required
def synonym_delete(request, pk):
    _require_staff(request)
    synonym = get_object_or_404(TagSynonym, pk=pk)
    synonym.delete()
    messages.success(request, f"The synonym “{synonym.source}” is removed.")
    return redirect(reverse("kb:tag-synonyms"))
