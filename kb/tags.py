"""Tag names: parsing what users type, validating it, synonyms, and URL-safe slugs.

Tag names are lower-case ``[a-z0-9+#.-]``, at most 35 characters (so ``c++``, ``c#`` and
``.net`` work): ``is_valid_tag_name`` is that rule, the one the forms, the search query
parser and the importers share; ``normalise_tag_name`` makes any text fit it.
Slugs are what URLs use: ``+`` separates several tags in ``/questions/tagged/a+b/``,
so a slug never contains one (``c++`` -> ``cpp``, ``c#`` -> ``csharp``).
"""

import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from taggit.models import Tag

MAX_TAGS = 5
MAX_TAG_LENGTH = 35
TAG_CHARACTERS = "a-z0-9+#.-"  # inside a regex character class
TAG_NAME_RE = re.compile(rf"[{TAG_CHARACTERS}]+")
_NOT_TAG_CHARACTERS = re.compile(rf"[^{TAG_CHARACTERS}]+")
_SLUG_REPLACEMENTS = (("+", "p"), ("#", "sharp"), (".", "dot"))


# The whitespace tags are split on, as a regular expression that Python and JavaScript read
# alike: the ask form's live preview (static/js/site.js) gets it from the tags field, since
# the two languages' ``\s`` differ at the edges.
TAG_SPACE_CLASS = r"[\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]"
_SPACES_RE = re.compile(TAG_SPACE_CLASS + "+")
_HYPHENS_RE = re.compile(r"-{2,}")


def parse_tag_input(raw: str) -> list[str]:
    """What a person typed in a tags field -> tag names (order kept, no repeats).

    With a comma, commas separate tags and the spaces inside one become hyphens:
    ``machine learning, Career Switch`` -> ``machine-learning``, ``career-switch``.
    Without one, spaces separate: ``python big-tech`` -> ``python``, ``big-tech``.
    static/js/site.js (``parseTagInput``) follows this rule exactly for the live preview.
    """
    raw = raw or ""
    parts = raw.split(",") if "," in raw else _SPACES_RE.split(raw)
    names = (_typed_tag_name(part) for part in parts)
    return list(dict.fromkeys(name for name in names if name))


def _typed_tag_name(text: str) -> str:
    """One typed tag: ``  Machine  learning- `` -> ``machine-learning`` (validated later, so
    a character tags may not use stays, for the form to name it)."""
    name = _SPACES_RE.sub("-", text.lower())
    return _HYPHENS_RE.sub("-", name).strip("-")


def is_valid_tag_name(name: str) -> bool:
    return len(name) <= MAX_TAG_LENGTH and TAG_NAME_RE.fullmatch(name) is not None


def normalise_tag_name(text: str) -> str:
    """Any text as a valid tag name, or "": ``" Machine Learning!"`` -> ``machine-learning``."""
    name = _NOT_TAG_CHARACTERS.sub("-", (text or "").strip().lower())
    name = re.sub(r"-{2,}", "-", name).strip("-")
    return name[:MAX_TAG_LENGTH].strip("-")


def validate_tag_names(names: list[str], *, required: bool = True) -> None:
    errors = []
    if required and not names:
        errors.append("Add at least one tag, e.g. skills or career-switch.")
    if len(names) > MAX_TAGS:
        errors.append(f"Use at most {MAX_TAGS} tags; you gave {len(names)}.")
    for name in names:
        if len(name) > MAX_TAG_LENGTH:
            errors.append(f"“{name[:40]}…” is longer than {MAX_TAG_LENGTH} characters.")
        elif not is_valid_tag_name(name):
            errors.append(
                f"“{name}” may only use lower-case letters, digits and the characters + # . -"
            )
    if errors:
        raise ValidationError(errors)


def resolve_synonyms(names: Iterable[str]) -> list[str]:
    """Rewrite synonyms to their target tag (``faang`` -> ``big-tech``), one query."""
    names = list(names)
    targets = synonym_targets(names)
    return list(dict.fromkeys(targets.get(name, name) for name in names))


def synonym_targets(names: Iterable[str]) -> dict[str, str]:
    """{synonym: its target tag name} for those of ``names`` that are synonyms; one query."""
    from kb.models import TagSynonym

    synonyms = TagSynonym.objects.filter(source__in=list(names))
    return dict(synonyms.values_list("source", "target__name"))


def tag_slug(name: str) -> str:
    slug = name.lower()
    for char, replacement in _SLUG_REPLACEMENTS:
        slug = slug.replace(char, replacement)
    return re.sub(r"[^a-z0-9-]+", "-", slug).strip("-") or "tag"


def get_or_create_tags(names: Iterable[str]) -> list[Tag]:
    """The Tag rows for these names, created with our URL-safe slugs when new."""
    names = list(dict.fromkeys(names))
    existing = {tag.name: tag for tag in Tag.objects.filter(name__in=names)}
    return [existing.get(name) or _create_tag(name) for name in names]


def _create_tag(name: str) -> Tag:
    base = tag_slug(name)
    for attempt in range(1, 50):
        slug = base if attempt == 1 else f"{base}-{attempt}"
        try:
            # A savepoint, so a slug clash does not break the caller's transaction.
            with transaction.atomic():
                return Tag.objects.create(name=name, slug=slug)
        except IntegrityError:
            tag = Tag.objects.filter(name=name).first()
            if tag:  # created by a concurrent request
                return tag
    raise ValidationError(f"Could not create the tag “{name}”.")
