"""Time every render path on inputs built to find super-linear behaviour.

    manage.py bench_markdown [--size 30000] [--repeat 3] [--cases brackets,stars]

Each case of the corpus is ``--size`` characters of one pathological pattern (runs of
``[``, ``](``, ``*``, ``_``, backticks, ``<``, nested lists and quotes, one long line, a
seeded mix). Markdown cases go through the post body renderer, the comment renderer and
the live preview view; HTML cases through the sanitiser that imported Stack Exchange
bodies use. The table shows, per case and path, the slowest of ``--repeat`` runs in CPU
milliseconds (CPU, not wall time, so other processes on the machine do not inflate it);
the last line the worst of all. Nothing is written to the database.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.test import RequestFactory

from kb.markdown import render_inline_markdown, render_markdown, sanitize_html
from kb.markdown_bounds import MAX_TABLE_CELLS
from kb.views.questions import markdown_preview

TARGET_MS = 200
SEED = 11


def _repeat(unit: str) -> Callable[[int], str]:
    return lambda size: (unit * (size // len(unit) + 1))[:size]


def _nested_list(size: int) -> str:
    lines, depth = [], 0
    while sum(map(len, lines)) < size:
        lines.append("    " * depth + "- item\n")
        depth = (depth + 1) % 60
    return "".join(lines)[:size]


def _nested_quotes(size: int) -> str:
    lines, depth = [], 1
    while sum(map(len, lines)) < size:
        lines.append("> " * depth + "quote\n")
        depth = depth % 200 + 1
    return "".join(lines)[:size]


def _nested_brackets(size: int) -> str:
    return "[" * (size // 2) + "]" * (size - size // 2)


def _long_line(size: int) -> str:
    return _repeat("word [link](https://example.com/a_b) *em* `code` _x_ ")(size).replace("\n", " ")


def _backtick_ladder(size: int) -> str:
    runs, length = [], 1
    while sum(map(len, runs)) < size:
        runs.append("`" * length + " x ")
        length += 1
    return "".join(runs)[:size]


def _table_at_cap(size: int) -> str:
    """The largest table still rendered as one, then paragraphs up to ``size``."""
    table = "|a|b|\n|-|-|\n" + "|a|b|\n" * (MAX_TABLE_CELLS // 2 - 1) + "\n"
    return (table + _repeat("a\n\n")(size))[:size]


def _mixed(size: int) -> str:
    rng = random.Random(SEED)
    return "".join(rng.choice("[]()!*_`<>&\\\"' \nab#-|:") for _ in range(size))


def _nested_html(tag: str) -> Callable[[int], str]:
    return _repeat(f"<{tag}>x")


MARKDOWN_CASES: dict[str, Callable[[int], str]] = {
    "brackets [": _repeat("["),
    "closers ](": _repeat("]("),
    "empty links [](": _repeat("[]("),
    "open links [a](": _repeat("[a]("),
    "images ![": _repeat("!["),
    "nested [[]]": _nested_brackets,
    "references [a][b]": _repeat("[a][b]"),
    "quoted urls [a](b'c)": _repeat("[a](b'c) "),
    "parens [a](((": _repeat("[a]((("),
    "stars *": _repeat("*"),
    "star words *a": _repeat("*a "),
    "underscores _": _repeat("_"),
    "underscore words _a": _repeat("_a "),
    "backticks `": _repeat("`"),
    "backtick words `a": _repeat("`a "),
    "backtick ladder": _backtick_ladder,
    "angles <": _repeat("<"),
    "autolinks <http://": _repeat("<http://a "),
    "backslashes \\": _repeat("\\"),
    "entities &#": _repeat("&#"),
    "smart quotes '\"": _repeat("'\""),
    "fences ```": _repeat("```\n"),
    "nested lists": _nested_list,
    "nested quotes >": _repeat(">"),
    "quote ladder > > a": _nested_quotes,
    "lists in quotes - > ": _repeat("- > "),
    "nested list lines": _repeat("- " * 8 + "x\n"),
    "spaced quote lines": _repeat("> " * 16 + "x\n"),
    "paragraphs": _repeat("a\n\n"),
    "emphasis paragraphs": _repeat("*a*\n\n"),
    "headings #": _repeat("# a\n"),
    "rules ***": _repeat("***\n"),
    "setext headings": _repeat("a\n=\n"),
    "line breaks": _repeat("a  \n"),
    "list items": _repeat("- a\n"),
    "table rows (refused)": lambda size: ("|a|b|\n|-|-|\n" + _repeat("|a|b|\n")(size))[:size],
    "table at the cell cap": _table_at_cap,
    "pipes |": _repeat("|\n"),
    "wide table": lambda size: (
        "|a" * (size // 10) + "|\n" + "|-" * (size // 10) + "|\n" + "|\n" * size
    )[:size],
    "links [a](b)": _repeat("[a](https://e.com) "),
    "long line": _long_line,
    "mixed (seeded)": _mixed,
}
HTML_CASES: dict[str, Callable[[int], str]] = {
    "html <": _repeat("<"),
    "html unclosed <b>": _nested_html("b"),
    "html unclosed <a>": _repeat('<a href="https://e.com">x'),
    "html nested <div>": _nested_html("div"),
    "html nested <blockquote>": _nested_html("blockquote"),
    "html table cells": _repeat("<table><tr><td>"),
    "html comments <!--": _repeat("<!--"),
    "html entities &": _repeat("&amp;&"),
    "html mixed (seeded)": lambda size: _mixed(size).replace("\\", "<p>"),
}


def corpus(size: int) -> dict[str, tuple[str, str]]:
    """Case name -> (kind, text); kind is "markdown" or "html"."""
    cases = {name: ("markdown", build(size)) for name, build in MARKDOWN_CASES.items()}
    cases.update({name: ("html", build(size)) for name, build in HTML_CASES.items()})
    return cases


class Command(BaseCommand):
    help = "Time the Markdown and HTML renderers on a pathological corpus; print the worst case."

    def add_arguments(self, parser):
        parser.add_argument("--size", type=int, default=30_000, help="characters per case")
        parser.add_argument("--repeat", type=int, default=3, help="runs per case and path")
        parser.add_argument("--cases", default="", help="comma-separated name prefixes")

    def handle(self, *args, size, repeat, cases, **options):
        selected = self._select(corpus(size), cases)
        paths = {
            "body": render_markdown,
            "comment": render_inline_markdown,
            "preview": self._preview,
        }
        width = max(map(len, selected)) + 2
        self.stdout.write(
            f"{'case':<{width}}{'body':>9}{'comment':>9}{'preview':>9}{'se html':>9}  (CPU ms, "
            f"slowest of {repeat}, {size} characters each)"
        )
        worst = (0.0, "", "")
        for name, (kind, text) in selected.items():
            row = {}
            if kind == "markdown":
                row = {path: _slowest(render, text, repeat) for path, render in paths.items()}
            else:
                row = {"se html": _slowest(sanitize_html, text, repeat)}
            cells = "".join(
                f"{row[path]:9.1f}" if path in row else f"{'-':>9}"
                for path in ("body", "comment", "preview", "se html")
            )
            self.stdout.write(f"{name:<{width}}{cells}")
            slowest_path = max(row, key=row.get)
            if row[slowest_path] > worst[0]:
                worst = (row[slowest_path], name, slowest_path)
        verdict = "OK" if worst[0] < TARGET_MS else "OVER TARGET"
        self.stdout.write(
            f"worst: {worst[0]:.1f} ms ({worst[1]}, {worst[2]}); target < {TARGET_MS} ms: {verdict}"
        )

    @staticmethod
    def _select(cases: dict[str, tuple[str, str]], prefixes: str) -> dict[str, tuple[str, str]]:
        wanted = [prefix.strip() for prefix in prefixes.split(",") if prefix.strip()]
        if not wanted:
            return cases
        selected = {name: case for name, case in cases.items() if name.startswith(tuple(wanted))}
        if not selected:
            raise CommandError(f"No case starts with {', '.join(wanted)}: {', '.join(cases)}")
        return selected

    @staticmethod
    def _preview(text: str) -> str:
        """The live preview endpoint as the browser calls it (view, decorators, JSON)."""
        request = RequestFactory().post("/preview/", {"body": text})
        request.user = get_user_model()(username="bench")
        response = markdown_preview(request)
        if response.status_code != 200:
            raise CommandError(f"The preview view answered {response.status_code}")
        return response.content.decode()


def _slowest(render: Callable[[str], str], text: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.process_time()
        render(text)
        times.append((time.process_time() - start) * 1000)
    return max(times)
