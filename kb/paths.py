"""Career paths: role names, backgrounds and the steps of a path (no models here).

Role names are normalised like tags, so "SWE", " Software  Engineer " and "software
engineer" are one role on /paths/ and in search: lower case, single spaces, no hyphens
between words, then synonyms (``DEFAULT_ROLE_SYNONYMS``, shipped, and the ``RoleSynonym``
table staff edit in the admin, which wins). Members' backgrounds and experience posts'
structured fields share the choices and the summary line written here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import capfirst

MAX_ROLE_LENGTH = 60
MAX_PATH_STEPS = 10
MAX_YEARS = 60
# Control characters too: a NUL, which PostgreSQL refuses, is never part of a role.
_SEPARATORS_RE = re.compile(r"[\s_\-\u2010-\u2015\x00-\x1f\x7f-\x9f]+")
_EDGE_PUNCTUATION = " .,;:!?/|·"

# "the name people type" -> "the role it is filed under", both normalised.
DEFAULT_ROLE_SYNONYMS = {
    "swe": "software engineer",
    "sde": "software engineer",
    "software developer": "software engineer",
    "software dev": "software engineer",
    "ml engineer": "machine learning engineer",
    "mle": "machine learning engineer",
    "cv engineer": "computer vision engineer",
    "ds": "data scientist",
    "pm": "product manager",
    "mech engineer": "mechanical engineer",
    "phd candidate": "phd student",
    "doctoral student": "phd student",
    "sre": "site reliability engineer",
}


class Degree(models.TextChoices):
    SECONDARY = "secondary", "Secondary school"
    BACHELOR = "bachelor", "Bachelor's (BSc, BA, BEng)"
    MASTER = "master", "Master's (MSc, MA, MEng)"
    PHD = "phd", "PhD or other doctorate"


DEGREE_SHORT = {
    Degree.SECONDARY: "no degree",
    Degree.BACHELOR: "BSc",
    Degree.MASTER: "MSc",
    Degree.PHD: "PhD",
}


class CompanySize(models.TextChoices):
    STARTUP = "startup", "Startup (under 100 people)"
    MID_SIZE = "mid-size", "Mid-size company (100 to 1,000)"
    LARGE = "large", "Large company (over 1,000)"


COMPANY_SIZE_SHORT = {
    CompanySize.STARTUP: "startup",
    CompanySize.MID_SIZE: "mid-size company",
    CompanySize.LARGE: "large company",
}


class PlaceKind(models.TextChoices):
    UNIVERSITY = "university", "University"
    RESEARCH_LAB = "lab", "Research lab"
    STARTUP = "startup", "Startup"
    MID_SIZE = "mid-size", "Mid-size company"
    LARGE = "large", "Large company"
    SELF_STUDY = "self-study", "Self-study or bootcamp"
    OTHER = "other", "Other"


def clean_role_text(text: str) -> str:
    """What was typed, tidied (no synonyms): `` Perception-Engineer. `` -> ``perception
    engineer``."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    text = _SEPARATORS_RE.sub(" ", text).strip(_EDGE_PUNCTUATION)
    return text[:MAX_ROLE_LENGTH].strip()


def role_synonyms() -> dict[str, str]:
    """{synonym: role}: the shipped defaults, overridden by the admin's table (one query)."""
    from kb.models import RoleSynonym

    synonyms = dict(DEFAULT_ROLE_SYNONYMS)
    synonyms.update(RoleSynonym.objects.values_list("source", "target"))
    return synonyms


def normalise_roles(texts: Iterable[str]) -> list[str]:
    """Each text as a role name (synonyms resolved); "" for blank. One query for all."""
    cleaned = [clean_role_text(text) for text in texts]
    if not any(cleaned):
        return cleaned
    synonyms = role_synonyms()
    return [synonyms.get(name, name) for name in cleaned]


def normalise_role(text: str) -> str:
    return normalise_roles([text])[0]


# Roles are stored in lower case, like tags; these words are shown as people write them.
_DISPLAY_WORDS = {
    word.lower(): word
    for word in (
        "AI", "BSc", "CEO", "CTO", "CV", "ML", "MLOps", "MSc", "NLP", "PhD", "QA", "SRE",
        "UX", "VP",
    )
}  # fmt: skip


def role_text(role: str) -> str:
    """A stored role as it reads mid-sentence: ``phd student`` -> ``PhD student``."""
    return " ".join(_DISPLAY_WORDS.get(word, word) for word in (role or "").split(" "))


def role_label(role: str) -> str:
    """How a role name reads at a sentence start: ``perception engineer`` -> ``Perception
    engineer``."""
    return capfirst(role_text(role))


def format_years(years) -> str:
    """``6`` -> "6 yrs", ``1`` -> "1 yr", ``1.5`` -> "1.5 yrs"."""
    if years is None or years == "":
        return ""
    number = Decimal(str(years)).normalize()
    text = f"{number:f}"
    return f"{text} yr" if number == 1 else f"{text} yrs"


def background_summary(*, role: str, field: str, years, degree: str, company_size: str) -> str:
    """One line beside a member's posts: "Perception engineer · 6 yrs · large company · MSc"."""
    parts = [
        role_label(role or field),
        format_years(years),
        COMPANY_SIZE_SHORT.get(company_size, ""),
        DEGREE_SHORT.get(degree, ""),
    ]
    return " · ".join(part for part in parts if part)


def clean_steps(steps) -> list[dict]:
    """A path as stored: at most ``MAX_PATH_STEPS`` of {"role", "place", "years"}.

    Raises ``ValidationError`` with a message a member can act on; the forms check each
    field first, so this is the backstop for the admin, the demo and the domain methods.
    """
    if not isinstance(steps, list):
        raise ValidationError("A path is a list of steps.")
    if len(steps) > MAX_PATH_STEPS:
        raise ValidationError(f"A path has at most {MAX_PATH_STEPS} steps; you gave {len(steps)}.")
    cleaned = []
    for number, step in enumerate(steps, start=1):
        if not isinstance(step, dict) or set(step) - {"role", "place", "years"}:
            raise ValidationError(f"Step {number} must have a role, a place and years only.")
        role = " ".join(str(step.get("role") or "").split())
        if not role or len(role) > MAX_ROLE_LENGTH:
            raise ValidationError(
                f"Step {number} needs a role or study of 1 to {MAX_ROLE_LENGTH} characters."
            )
        place = step.get("place") or ""
        if place and place not in PlaceKind.values:
            raise ValidationError(f"Step {number}: “{place}” is not a kind of place.")
        cleaned.append({"role": role, "place": place, "years": _step_years(step, number)})
    return cleaned


def _step_years(step: dict, number: int) -> str:
    years = step.get("years")
    if years in (None, ""):
        return ""
    try:
        value = Decimal(str(years))
    except ArithmeticError:
        raise ValidationError(f"Step {number}: years must be a number.") from None
    if not value.is_finite() or value < 0 or value > MAX_YEARS:
        raise ValidationError(f"Step {number}: years must be between 0 and {MAX_YEARS}.")
    return f"{value.quantize(Decimal('0.1')).normalize():f}"


def step_lines(steps) -> list[dict]:
    """Steps for templates: {"role", "place" (its label), "years" ("4 yrs")}."""
    places = dict(PlaceKind.choices)
    return [
        {
            "role": step.get("role", ""),
            "place": places.get(step.get("place") or "", ""),
            "years": format_years(step.get("years")),
        }
        for step in steps or []
    ]


# Answers filtered by who wrote them: ?background=<key> on a question page.
BACKGROUND_FILTERS = {
    "startup": ("from people at startups", lambda user: user.company_size == CompanySize.STARTUP),
    "large": (
        "from people at large companies",
        lambda user: user.company_size == CompanySize.LARGE,
    ),
    "phd": ("from people with a PhD", lambda user: user.highest_degree == Degree.PHD),
    "5-years": (
        "from people with 5+ years",
        lambda user: user.years_experience is not None and user.years_experience >= 5,
    ),
}


def background_filter_key(raw: str) -> str:
    """The filter a query string asks for, or "" (unknown values show every answer)."""
    return raw if raw in BACKGROUND_FILTERS else ""


def filter_by_background(answers: list, key: str) -> list:
    if not key:
        return answers
    matches = BACKGROUND_FILTERS[key][1]
    return [answer for answer in answers if _author_matches(answer, matches)]


def _author_matches(answer, matches) -> bool:
    # An anonymous asker's answer never matches: a filter would tell readers their background.
    author = answer.shown_author
    return author is not None and matches(author)


def background_filter_options(answers: list, key: str, minimum: int) -> list[dict]:
    """The filters worth offering: none until ``minimum`` answers come with a background,
    then those that keep at least one answer (and the chosen one, whatever it keeps)."""
    with_background = [
        answer
        for answer in answers
        if answer.shown_author is not None and answer.shown_author.background_summary
    ]
    if len(with_background) < minimum:
        return []
    options = []
    for option, (label, matches) in BACKGROUND_FILTERS.items():
        count = sum(1 for answer in answers if _author_matches(answer, matches))
        if count or option == key:
            options.append(
                {"key": option, "label": label, "count": count, "current": option == key}
            )
    return options


def answers_heading(shown: int, total: int, key: str) -> str:
    """ "6 answers", or with a filter "2 of 6 answers from people at startups"."""
    plural = "" if total == 1 else "s"
    if not key:
        return f"{total} answer{plural}"
    return f"{shown} of {total} answer{plural} {BACKGROUND_FILTERS[key][0]}"
