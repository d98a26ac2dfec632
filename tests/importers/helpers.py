"""Shared helpers for the importer tests: sample paths and row counts."""

import shutil
from pathlib import Path

from django.contrib.auth import get_user_model
from taggit.models import Tag, TaggedItem

from kb.models import Comment, Post, PostLink

DATA = Path(__file__).resolve().parent.parent / "data"
REDDIT_SELF = DATA / "reddit" / "redditdev_2gmzqe_praw_https_testing.json"
REDDIT_FUNNY = DATA / "reddit" / "funny_3hahrw_ba_dum_tsss_limit10.json"
CONLANG = DATA / "stackexchange-conlang"
CONLANG_SITE = "conlang.meta.stackexchange.com"


def row_counts() -> dict[str, int]:
    """Every table an import writes, to prove a failed run left nothing behind."""
    return {
        "posts": Post.objects.count(),
        "comments": Comment.objects.count(),
        "users": get_user_model().objects.count(),
        "tags": Tag.objects.count(),
        "tagged": TaggedItem.objects.count(),
        "links": PostLink.objects.count(),
    }


def copy_dump(tmp_path: Path) -> Path:
    folder = tmp_path / "dump"
    shutil.copytree(CONLANG, folder)
    return folder


def edit_file(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8-sig")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text("\ufeff" + text.replace(old, new, count), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path.name}")
