"""The demo file's backgrounds ([members.background]) and structured experience posts
([experiences.move]): loaded through the domain, checked before anything is written."""

import pytest
from django.core.management import CommandError

from accounts.models import User
from kb.models import CareerMove
from tests.test_load_demo import _load, _row_counts
from tests.test_load_demo_file import SMALL_COMMUNITY

pytestmark = pytest.mark.django_db

BACKGROUND = """
[members.background]
role = "SWE"
years = 4
degree = "master"
company_size = "startup"
path = [ { role = "MSc robotics", place = "university", years = 2 } ]
"""

STORY = """
[[experiences]]
title = "From gearboxes to perception in two years"
author = "alice"
days_ago = 5
tags = ["career-switch"]
views = 3
body = '''
Two years of evenings, one project from my old job, then a perception role.
'''

[experiences.move]
from = "Mechanical engineer"
to = "ML engineer"
years = 1.5
size_before = "large"
size_after = "startup"
decision = "Kept my job while I studied"
steps = [ { role = "Evening courses", place = "self-study", years = 1.5 } ]
"""


def _community(background=BACKGROUND, story=STORY) -> str:
    # Bob's background goes after his last key; the story at the end of the file.
    return (
        SMALL_COMMUNITY.replace('bio = "Ships models."\n', 'bio = "Ships models."\n' + background)
        + story
    )


@pytest.fixture
def demo_file(tmp_path):
    path = tmp_path / "community.toml"
    path.write_text(_community(), encoding="utf-8")
    return path


def test_backgrounds_and_moves_load_normalised(demo_file):
    output = _load("--file", str(demo_file))
    assert "1 background," in output
    assert "1 career move." in output
    bob = User.objects.get(username="bob")
    assert bob.background_summary == "Software engineer · 4 yrs · startup · MSc"
    assert bob.path_steps == [{"role": "MSc robotics", "place": "university", "years": "2"}]
    move = CareerMove.objects.get()
    assert (move.from_role, move.to_role) == ("mechanical engineer", "machine learning engineer")
    assert str(move.years_taken) == "1.5"


def test_loading_again_keeps_a_background_changed_on_the_site(demo_file):
    _load("--file", str(demo_file))
    bob = User.objects.get(username="bob")
    bob.current_role = "staff engineer"
    bob.save()
    output = _load("--file", str(demo_file))
    assert "nothing new created" in output
    bob.refresh_from_db()
    assert bob.current_role == "staff engineer"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('degree = "master"', 'degree = "wizard"', "“degree” must be one of secondary, bachelor"),
        ('company_size = "startup"', 'company_size = "huge"', "“company_size” must be one of"),
        ("years = 4", "years = 4.5", "“years” must be a whole number"),
        ("years = 4", "years = 99", "“years” is more than 60"),
        ('role = "SWE"', 'rol = "SWE"', "unknown key(s) rol"),
        ('place = "university"', 'place = "moon"', "“path”: Step 1: “moon” is not a kind of place"),
    ],
)
def test_a_bad_background_names_the_member_and_writes_nothing(tmp_path, old, new, expected):
    path = tmp_path / "community.toml"
    path.write_text(_community(background=BACKGROUND.replace(old, new)), encoding="utf-8")
    with pytest.raises(CommandError) as error:
        _load("--file", str(path))
    assert "member 'bob', background" in str(error.value)
    assert expected in str(error.value)
    assert _row_counts() == dict.fromkeys(_row_counts(), 0)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('size_after = "startup"', 'size_after = "tiny"', "“size_after” must be one of"),
        ("years = 1.5\n", "years = -1\n", "“years” cannot be negative"),
        ('from = "Mechanical engineer"', 'from = "' + "m" * 61 + '"', "longer than 60"),
        (
            'decision = "Kept my job while I studied"',
            'decision = "' + "d" * 201 + '"',
            "longer than 200",
        ),
        ('{ role = "Evening courses"', '{ role = ""', "Step 1 needs a role"),
        ('to = "ML engineer"', 'to = "mechanical-engineer"', "“from” and “to” are the same role"),
    ],
)
def test_a_bad_move_names_the_post_and_writes_nothing(tmp_path, old, new, expected):
    path = tmp_path / "community.toml"
    path.write_text(_community(story=STORY.replace(old, new)), encoding="utf-8")
    with pytest.raises(CommandError) as error:
        _load("--file", str(path))
    assert "“From gearboxes to perception in two years”, move" in str(error.value)
    assert expected in str(error.value)
    assert _row_counts() == dict.fromkeys(_row_counts(), 0)
