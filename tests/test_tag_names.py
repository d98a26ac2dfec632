"""The tag-name rule, held once in kb/tags.py: forms, the search query parser and the
importers all follow it, so a name one accepts the others accept too."""

import pytest

from kb.importers.base import normalise_tags
from kb.search.query import parse
from kb.tags import MAX_TAG_LENGTH, is_valid_tag_name, normalise_tag_name, validate_tag_names

VALID = ["python", "c++", "c#", ".net", "career-switch", "a" * MAX_TAG_LENGTH]
INVALID = ["", "Python", "big tech", "naïve", "a" * (MAX_TAG_LENGTH + 1), "python\n", "x/y"]


@pytest.mark.parametrize("name", VALID)
def test_valid_names(name):
    assert is_valid_tag_name(name)
    assert normalise_tag_name(name) == name


@pytest.mark.parametrize("name", INVALID)
def test_invalid_names(name):
    assert not is_valid_tag_name(name)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        (" Machine Learning! ", "machine-learning"),
        ("Career -- Switch", "career-switch"),
        ("C++", "c++"),
        ("??", ""),
        ("x" * 50, "x" * MAX_TAG_LENGTH),
    ],
)
def test_any_text_normalises_to_a_valid_name_or_nothing(text, name):
    assert normalise_tag_name(text) == name
    assert name == "" or is_valid_tag_name(name)


@pytest.mark.parametrize("name", VALID + INVALID)
def test_the_query_parser_accepts_exactly_the_valid_names(name):
    typed = name.strip().lower()  # [Python] finds python, as the tag field does
    query = parse(f"salary [{name}]", resolve_tags=False)
    assert query.tags == ([typed] if is_valid_tag_name(typed) else [])


@pytest.mark.parametrize("name", VALID + INVALID)
def test_the_forms_accept_exactly_the_valid_names(name):
    from django.core.exceptions import ValidationError

    if is_valid_tag_name(name):
        validate_tag_names([name])
    else:
        with pytest.raises(ValidationError):
            validate_tag_names([name])


def test_imported_tags_are_normalised_by_the_same_rule():
    names = ["Machine Learning", "machine-learning", "C++", "??", "a", "b", "c", "d"]
    assert normalise_tags(names) == ["machine-learning", "c++", "a", "b", "c"]
    assert all(is_valid_tag_name(name) for name in normalise_tags(names))
