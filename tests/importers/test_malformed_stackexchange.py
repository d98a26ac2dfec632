"""Malformed Stack Exchange dumps: a one-line error naming the file and line, nothing written.

XML is read with defusedxml and no DTD at all: entity bombs and external entities are
refused before any expansion. Every value is checked before it reaches the database.
"""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from kb.importers.save import BATCH_SIZE
from kb.importers.stackexchange import REPEAT_WINDOW
from kb.models import Comment
from tests.importers.helpers import CONLANG_SITE, copy_dump, edit_file, row_counts

pytestmark = pytest.mark.django_db

FIRST_ROW = '<row Id="1" PostTypeId="1" '
BOMB = """<?xml version="1.0"?>
<!DOCTYPE posts [
  <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
  <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
]>
<posts>
  <row Id="1" PostTypeId="1" CreationDate="2020-01-01T00:00:00" Title="t" Body="&d;" />
</posts>
"""
EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE posts [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<posts>
  <row Id="1" PostTypeId="1" CreationDate="2020-01-01T00:00:00" Title="t" Body="&secret;" />
</posts>
"""


def _replace_posts(text: str | bytes):
    def change(folder: Path) -> None:
        path = folder / "Posts.xml"
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")

    return change


def _edit_first_post(old: str, new: str):
    return lambda folder: edit_file(folder / "Posts.xml", old, new)


def _repeat_first_post(folder: Path) -> None:
    path = folder / "Posts.xml"
    lines = path.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    first = next(line for line in lines if FIRST_ROW in line)
    path.write_text("".join([*lines[:3], first, *lines[3:]]), encoding="utf-8")


def _utf16(folder: Path) -> None:
    path = folder / "Users.xml"
    text = path.read_text(encoding="utf-8-sig").replace('encoding="utf-8"', 'encoding="utf-16"')
    path.write_text(text, encoding="utf-16")


def _latin1(folder: Path) -> None:
    path = folder / "Comments.xml"
    path.write_bytes(path.read_bytes().replace(b'Text="', b'Text="caf\xe9 ', 1))


CASES = [
    ("entity-bomb", _replace_posts(BOMB), "Posts.xml, line 2: a DTD"),
    ("external-entity", _replace_posts(EXTERNAL), "Posts.xml, line 2: a DTD"),
    ("doctype", _replace_posts('<?xml version="1.0"?>\n<!DOCTYPE posts>\n<posts/>'), "a DTD"),
    ("score-beyond-int32", _edit_first_post('Score="10"', 'Score="2147483648"'), "Score"),
    ("score-5000-digits", _edit_first_post('Score="10"', f'Score="{"9" * 5000}"'), "Score"),
    (
        "view-count-huge",
        _edit_first_post('ViewCount="172"', f'ViewCount="{"9" * 20}"'),
        "ViewCount",
    ),
    ("date-year-1", _edit_first_post("2018-02-06T20:19:50.957", "0001-01-01T00:00:00"), "year"),
    ("date-nonsense", _edit_first_post("2018-02-06T20:19:50.957", "\u0661\u0662"), "date"),
    ("id-too-long", _edit_first_post(FIRST_ROW, f'<row Id="{"1" * 200}" PostTypeId="1" '), "Id"),
    ("repeated-id", _repeat_first_post, "Id 1 appears twice"),
    ("body-too-long", _edit_first_post('Body="', 'Body="' + "x" * 6_000), "characters"),
    ("latin-1", _latin1, "Comments.xml, line 3: not well-formed XML"),
    ("binary", _replace_posts(bytes(range(256)) * 4), "not well-formed XML"),
    ("empty", _replace_posts(b""), "Posts.xml, line 0: the XML ends too early"),
    ("truncated", _replace_posts('<?xml version="1.0"?>\n<posts>\n  <row Id="1" '), "ends too"),
    (
        "unknown-encoding",
        _replace_posts('<?xml version="1.0" encoding="x-nope"?>\n<posts/>'),
        "XML",
    ),
    ("deep-nesting", _replace_posts("<a>" * 100_000 + "</a>" * 100_000), None),
]


@pytest.fixture(autouse=True)
def _small_text_limit(settings):
    settings.IMPORT_MAX_TEXT_CHARS = 6_000  # the sample's longest body: 5,803


def _import(folder: Path) -> str:
    out = StringIO()
    call_command("import_stackexchange", str(folder), "--site-name", CONLANG_SITE, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("change", "message"), [case[1:] for case in CASES], ids=[c[0] for c in CASES]
)
def test_every_malformed_dump_is_a_one_line_error_and_writes_nothing(tmp_path, change, message):
    folder = copy_dump(tmp_path)
    change(folder)
    before = row_counts()

    with pytest.raises(CommandError) as error:
        _import(folder)

    assert "\n" not in str(error.value)
    if message:
        assert message in str(error.value)
    assert row_counts() == before


def test_two_names_that_make_the_same_username_are_one_placeholder(tmp_path):
    # "Ann Lee" and "Ann/Lee" (deleted accounts: a name, no id) make one username; the
    # writer kept only one of the two keys and failed with a KeyError.
    folder = copy_dump(tmp_path)
    path = folder / "Comments.xml"
    text = path.read_text(encoding="utf-8-sig")
    rows = "".join(
        f'  <row Id="{9000 + n}" PostId="1" Score="0" Text="by {name}" '
        f'CreationDate="2020-01-01T00:00:00" UserDisplayName="{name}" />\n'
        for n, name in enumerate(["Ann Lee", "Ann/Lee"])
    )
    path.write_text(text.replace("</comments>", rows + "</comments>"), encoding="utf-8")

    _import(folder)

    first, second = Comment.objects.filter(source_id__in=["9000", "9001"]).order_by("source_id")
    assert first.author == second.author
    assert first.author.username.endswith("name~Ann~Lee")


def test_a_site_name_that_makes_no_https_address_is_refused(tmp_path):
    folder = copy_dump(tmp_path)

    with pytest.raises(CommandError, match="is not an https:// address"):
        call_command("import_stackexchange", str(folder), "--site-name", "bad site.example")

    assert set(row_counts().values()) == {0}


def test_the_repeat_window_covers_a_whole_batch_of_the_writer():
    # Two rows with one Id in one batch would collide in the database (IntegrityError).
    assert REPEAT_WINDOW >= BATCH_SIZE
