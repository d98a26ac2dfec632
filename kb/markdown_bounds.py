"""Keep Python-Markdown's work linear in the size of what a user typed.

Python-Markdown rescans text in ways that grow faster than the text (its issue #798): each
``[`` looks ahead for its ``]`` and each ``](`` for its ``)``, so ``"[" * 20000`` takes a
minute; a line of headings or rules is re-searched once per line. This module changes the
input, never the renderer: characters that cannot take part in the syntax they would make
Markdown look for (an ``[`` with no ``]``, a backtick run with no closing run, a ``(`` that
is never closed), and what goes beyond generous caps (lists and quotes nested 8 deep, brackets 3
deep, 2,000 markup characters in one paragraph), are *neutralised*: swapped for a Unicode
noncharacter (U+FDD0 onwards, reserved for internal use, removed from input first) that no
Markdown rule matches and that :func:`restore` turns back into the same character once the
HTML exists. So nothing the user typed is lost or shown with an extra backslash, code spans
and blocks come out byte for byte as typed, and links, images, references, emphasis and code
that can be parsed are left alone for Markdown to parse.

Two passes: :func:`bound_source` on the Markdown source (block level), and
:class:`BoundInlineText`, a tree processor that runs on each paragraph's text just before
Markdown's inline patterns (where block structure, fenced and indented code are settled).
"""

from __future__ import annotations

import bisect
import html
import re

from markdown import Markdown
from markdown.extensions.fenced_code import FencedBlockPreprocessor
from markdown.extensions.tables import TableProcessor
from markdown.inlinepatterns import BACKTICK_RE
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

TAB_LENGTH = 4  # Python-Markdown's default
MAX_NESTING = 8
MAX_NESTED_MARKERS = 2_000
MAX_TABLE_CELLS = 5_000
MAX_BRACKET_DEPTH = 3
MAX_BACKTICK_RUN = 8
# Unclosed backtick runs make Markdown search the rest of the paragraph; with runs of at most
# 8, a paragraph has few unless backslashes split runs ("\\``" * 10,000).
MAX_CODE_SPAN_SEARCHES = 32
MAX_INLINE_MARKUP = 2_000
# Each paragraph with markup costs Python-Markdown ~0.1 ms whatever its length, and each
# markup character ~15 us: 30,000 characters of "*a*\n\n" would take a second.
MAX_DOCUMENT_MARKUP = 6_000
MAX_MARKUP_BLOCKS = 800
# Characters a link destination's ")" search may walk, summed over the links of a paragraph
# whose destination has an unpaired quote (Python-Markdown then reads to the paragraph's end).
LINK_SCAN_BUDGET = 60_000

_NEUTRALISABLE = "[]()`\\*_<>&'\"!-.#|:~ "  # the space: "  \n" is a line break
_NONCHARACTERS = range(0xFDD0, 0xFDD0 + len(_NEUTRALISABLE))
_NEUTRALISE = {
    ord(char): chr(code) for char, code in zip(_NEUTRALISABLE, _NONCHARACTERS, strict=True)
}
_RESTORE = {
    code: html.escape(char) for char, code in zip(_NEUTRALISABLE, _NONCHARACTERS, strict=True)
}
# Restored in the tree, before smarty reads the neighbours of quotes; quotes, dashes and dots
# stay neutral until the end so that smarty leaves those the markup budget cut off.
_SMARTY_CHARS = "'\"-."
_RESTORE_IN_TREE = {
    code: char
    for char, code in zip(_NEUTRALISABLE, _NONCHARACTERS, strict=True)
    if char not in _SMARTY_CHARS
}
_STRIP_NONCHARACTERS = dict.fromkeys(range(0xFDD0, 0xFDF0))

# What any of Markdown's inline patterns (or the smarty extension's, or kb.mentions') can
# start with.
_INLINE_MARKUP = re.compile(r"[`\\\[\]<&*_'\"@]|--|\.\.\.|  \n")
_SMARTY_MARKUP = re.compile(r"['\"]|--|\.\.\.")
_TOKEN = re.compile(r"\\.|[\[\]()'\"]", re.DOTALL)
_BACKTICK_OPENER = re.compile(BACKTICK_RE)
_BACKTICK_RUN = re.compile(r"`+")
_LONG_BACKTICK_RUN = re.compile(f"`{{{MAX_BACKTICK_RUN + 1},}}")
_QUOTES = "'\""

# Quote and list markers opening a line, each one a level deeper ("> - > 1. > ...").
# Atomic: a marker's spaces are not shared out again with its neighbours when a match fails
# (without it, "> " * 16 tries 2 ** 16 ways on each such line).
_CONTAINER = re.compile(r"(?>[ ]{0,3}(?:>[ ]?|[-*+][ ]+|\d{1,9}[.)][ ]+))")
_CONTAINERS = re.compile(f"^(?:{_CONTAINER.pattern})++", re.M)
_SETEXT_UNDERLINE = re.compile(r"(?:=+|-+)[ ]*$")
_RULE = re.compile(r"[ ]{0,3}(?:(?:-[ ]{0,2}){3,}|(?:_[ ]{0,2}){3,}|(?:\*[ ]{0,2}){3,})[ ]*$")


def neutralise(text: str) -> str:
    return text.translate(_NEUTRALISE)


def restore(html_text: str) -> str:
    """Neutralised characters back, HTML-escaped (they may sit in text or in an attribute)."""
    return html_text.translate(_RESTORE)


def bound_source(text: str) -> str:
    """The block-level pass, on the Markdown source."""
    # Line ends and tabs as Markdown normalises them first, so that lines match as it sees them.
    text = text.replace("\r\n", "\n").replace("\r", "\n").expandtabs(TAB_LENGTH)
    text = text.translate(_STRIP_NONCHARACTERS)
    text = _bound_nesting(text)
    return _separate_single_line_blocks(text)


def _bound_nesting(text: str) -> str:
    """Quote and list markers opening a line: at most MAX_NESTING levels on a line, and at
    most MAX_NESTED_MARKERS past the first level in the document (each level is a few more
    elements, ~10 us each, and re-parses the rest of its item). Markers past either are
    shown as typed."""
    nested_left = MAX_NESTED_MARKERS

    def bound(match: re.Match) -> str:
        nonlocal nested_left
        markers = _CONTAINER.findall(match[0])
        allowed = min(len(markers), MAX_NESTING, 1 + nested_left)
        nested_left -= allowed - 1
        if allowed == len(markers) or _RULE.match(_line_at(match)):  # "- - - -" is a rule
            return match[0]
        return "".join(markers[:allowed]) + neutralise("".join(markers[allowed:]))

    return _CONTAINERS.sub(bound, text)


def _line_at(match: re.Match) -> str:
    end = match.string.find("\n", match.start())
    return match.string[match.start() : None if end < 0 else end]


def _separate_single_line_blocks(text: str) -> str:
    """Blank lines around headings, after rules and after setext underlines, outside fenced
    code. Markdown splits them off anyway, but by re-searching the rest of the block once
    per line (quadratic in a block of 7,500 of them)."""
    parts, start = [], 0
    for fence in FencedBlockPreprocessor.FENCED_BLOCK_RE.finditer(text):
        parts.append(_separate_lines(text[start : fence.start()]))
        parts.append(fence[0])
        start = fence.end()
    parts.append(_separate_lines(text[start:]))
    return "".join(parts)


def _separate_lines(text: str) -> str:
    lines = text.split("\n")
    separated = []
    for index, line in enumerate(lines):
        previous = lines[index - 1] if index else ""
        following = lines[index + 1] if index + 1 < len(lines) else ""
        # "|" may make the line a table row; "\" at a heading's end continues it.
        alone = "|" not in line and "|" not in previous and not line.endswith("\\")
        heading = (
            alone
            and line.startswith("#")
            and not (previous.startswith("#") and previous.endswith("\\"))
        )
        if heading and previous.strip() and separated:
            separated.append("")
        # A setext underline counts only under the first line of a block (not code).
        underline = (
            alone
            and _SETEXT_UNDERLINE.match(line)
            and previous.strip()
            and not previous.startswith(" " * TAB_LENGTH)
            and (len(separated) == 1 or not separated[-2].strip())
        )
        separated.append(line)
        if (heading or underline or (alone and _RULE.match(line))) and following.strip():
            separated.append("")
    return "\n".join(separated)


def bound_inline(text: str, markup_budget: int = MAX_INLINE_MARKUP) -> str:
    """One paragraph's (heading's, cell's, list item's) text, before the inline patterns."""
    if not _INLINE_MARKUP.search(text):
        return AtomicString(text)
    cut = _markup_cut(text, min(markup_budget, MAX_INLINE_MARKUP))
    if cut == 0:
        return AtomicString(neutralise(text))
    if cut is not None:
        text = text[:cut] + neutralise(text[cut:])
    # No code span needs more backticks; fewer distinct runs bound the closing-run searches.
    text = _LONG_BACKTICK_RUN.sub(lambda run: neutralise(run[0]), text)
    chars = list(text)
    for position in _LiveSyntax(text).neutral_positions():
        chars[position] = neutralise(chars[position])
    text = "".join(chars)
    # Text without markup skips the 16 inline patterns (and smarty) altogether.
    return text if _INLINE_MARKUP.search(text) else AtomicString(text)


def _markup_cut(text: str, budget: int) -> int | None:
    """Where the markup budget runs out: beyond it, text is shown as typed."""
    if budget <= 0:
        return 0
    for count, match in enumerate(_INLINE_MARKUP.finditer(text), start=1):
        if count > budget:
            return match.start()
    return None


class _LiveSyntax:
    """Brackets, parentheses and quotes as Python-Markdown's link patterns will see them:
    outside code spans, not backslash-escaped."""

    def __init__(self, text: str):
        self.text = text
        self.neutral: list[int] = []
        self.opens: list[int] = []
        self.closes: list[int] = []
        self.parens: list[int] = []
        self.quotes: list[int] = []
        self._run_starts: list[int] = []
        self._runs_by_length: dict[int, list[int]] = {}
        lengths = []
        for run in _BACKTICK_RUN.finditer(text):
            self._run_starts.append(run.start())
            lengths.append(len(run[0]))
            self._runs_by_length.setdefault(len(run[0]), []).append(run.start())
        self._longest_from = _first_longest_from(self._run_starts, lengths)
        self._searches_left = MAX_CODE_SPAN_SEARCHES
        spans = self._code_spans()
        self._scan_outside(spans)

    def neutral_positions(self) -> list[int]:
        pairs = self._pair_brackets()
        self._bound_link_destinations(pairs)
        return self.neutral

    def _code_spans(self) -> list[tuple[int, int]]:
        """Code spans as Python-Markdown's backtick pattern finds them, quirks included."""
        text, position, spans = self.text, 0, []
        while match := _BACKTICK_OPENER.search(text, position):
            # An even run of backslashes before backticks is escaped; the backticks open.
            opener = match.end() if match[1] else match.start()
            ticks = _BACKTICK_RUN.match(text, opener).end() - opener
            span_end = self._closing_run_end(opener + ticks, ticks)
            if span_end is not None:
                spans.append((opener, span_end))
                position = span_end
            elif self._searches_left > 0:
                self._searches_left -= 1
                position = opener + 2 * ticks  # Markdown skips as many characters again
            else:
                self.neutral.extend(range(opener, opener + ticks))
                position = opener + ticks
        return spans

    def _closing_run_end(self, after: int, ticks: int) -> int | None:
        """The next run as long, else the first of the longest later runs if shorter.
        Without either, Markdown has searched to the end of the text: that is counted, and
        past MAX_CODE_SPAN_SEARCHES the opener is neutralised instead."""
        same_length = self._runs_by_length.get(ticks, [])
        index = bisect.bisect_left(same_length, after)
        if index < len(same_length):
            return same_length[index] + ticks
        index = bisect.bisect_left(self._run_starts, after)
        if index < len(self._run_starts):
            longest_start, longest = self._longest_from[index]
            if longest < ticks:
                if self._searches_left <= 0:
                    return None
                self._searches_left -= 1
                return longest_start + longest
        return None

    def _scan_outside(self, spans: list[tuple[int, int]]) -> None:
        """Brackets, parentheses and quotes outside code spans, not backslash-escaped."""
        text, position = self.text, 0
        for span_start, span_end in [*spans, (len(text), len(text))]:
            while (match := _TOKEN.search(text, position, span_start)) is not None:
                token, start = match[0], match.start()
                position = match.end()
                if token[0] == "\\":
                    if token[1:] in _QUOTES:  # not escapable: Markdown leaves the quote live
                        self.quotes.append(start + 1)
                elif token in "[]":
                    (self.opens if token == "[" else self.closes).append(start)
                elif token in "()":
                    self.parens.append(start)
                else:
                    self.quotes.append(start)
            position = span_end

    def _pair_brackets(self) -> list[tuple[int, int]]:
        """Pairs ``[`` and ``]`` as Python-Markdown counts them; unpaired ``[`` and pairs
        nested deeper than MAX_BRACKET_DEPTH are neutralised. Returns the pairs kept."""
        events = sorted([(p, "[") for p in self.opens] + [(p, "]") for p in self.closes])
        stack: list[int] = []
        pairs = []
        for position, kind in events:
            if kind == "[":
                stack.append(position)
            elif stack:
                pairs.append((stack.pop(), position))
        self.neutral.extend(stack)
        return self._within_depth(sorted(pairs))

    def _within_depth(self, pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """Pairs nest properly, so the ones still open around a pair are its depth."""
        enclosing: list[int] = []  # closing positions of the pairs around this one
        kept = []
        for opening, closing in pairs:
            while enclosing and enclosing[-1] < opening:
                enclosing.pop()
            if len(enclosing) >= MAX_BRACKET_DEPTH:
                self.neutral.extend((opening, closing))
            else:
                kept.append((opening, closing))
            enclosing.append(closing)
        return kept

    def _bound_link_destinations(self, pairs: list[tuple[int, int]]) -> None:
        """A ``(`` right after a kept ``]`` starts a link destination, read up to its ``)``.
        One never closed (and no quote after it) cannot make a link: neutralised. One whose
        end depends on quotes is read up to the paragraph's end; those share a budget."""
        text, length = self.text, len(self.text)
        live_parens = set(self.parens)
        closing = _pair_parens(text, self.parens)
        uncertain = []
        for _, close in sorted(pairs):
            opening = close + 1
            if opening not in live_parens or text[opening] != "(":
                continue
            end = closing.get(opening)
            first_quote = _first_after(self.quotes, opening)
            if first_quote is None or (end is not None and first_quote > end):
                if end is None:
                    self.neutral.append(opening)
            elif end is None or not _ends_with_title(text, first_quote, end):
                uncertain.append(opening)
        cost = sum(length - opening for opening in uncertain)
        for opening in uncertain:
            if cost <= LINK_SCAN_BUDGET:
                break
            self.neutral.append(opening)
            cost -= length - opening


def _first_longest_from(starts: list[int], lengths: list[int]) -> list[tuple[int, int]]:
    """For each backtick run: (start, length) of the first longest run from it on."""
    result, best = [(0, 0)] * len(starts), (0, 0)
    for index in range(len(starts) - 1, -1, -1):
        if lengths[index] >= best[1]:
            best = (starts[index], lengths[index])
        result[index] = best
    return result


def _pair_parens(text: str, positions: list[int]) -> dict[int, int]:
    stack, closing = [], {}
    for position in positions:
        if text[position] == "(":
            stack.append(position)
        elif stack:
            closing[stack.pop()] = position
    return closing


def _first_after(positions: list[int], position: int) -> int | None:
    index = bisect.bisect_right(positions, position)
    return positions[index] if index < len(positions) else None


def _ends_with_title(text: str, first_quote: int, end: int) -> bool:
    """``(url "title")``: a quote like the first one closes just before ``)``, so Markdown's
    search stops there instead of running on to the end of the paragraph."""
    before = text[first_quote + 1 : end].rstrip(" ")
    return bool(before) and before[-1] == text[first_quote]


class BoundInlineText(Treeprocessor):
    """Runs :func:`bound_inline` on every text the inline patterns are about to read, in
    document order, within the document's markup budget (past it, text is shown as typed)."""

    def run(self, root) -> None:
        self.markup_left, self.blocks_left = MAX_DOCUMENT_MARKUP, MAX_MARKUP_BLOCKS
        for element in root.iter():
            if element.text and not isinstance(element.text, AtomicString):
                element.text = self._bound(element.text)
            if element.tail and not isinstance(element.tail, AtomicString):
                element.tail = self._bound(element.tail)

    def _bound(self, text: str) -> str:
        bounded = bound_inline(text, self.markup_left if self.blocks_left > 0 else 0)
        if not isinstance(bounded, AtomicString):
            self.blocks_left -= 1
            self.markup_left -= sum(1 for _ in _INLINE_MARKUP.finditer(bounded))
        return bounded


class RestoreNeutralised(Treeprocessor):
    """Neutralised characters back in texts and attributes once the inline patterns ran."""

    def run(self, root) -> None:
        for element in root.iter():
            element.text = _restore_in_tree(element.text)
            element.tail = _restore_in_tree(element.tail)
            for name, value in element.items():
                element.set(name, _restore_in_tree(value))


def _restore_in_tree(text: str | None) -> str | None:
    if not text:
        return text
    restored = text.translate(_RESTORE_IN_TREE)
    return AtomicString(restored) if isinstance(text, AtomicString) else restored


class SkipTextWithoutSmartyMarkup(Treeprocessor):
    """Smarty runs all its patterns on every text node, quotes or not: ~40 us a paragraph.
    Texts without a quote, ``--`` or ``...`` are marked atomic so it skips them."""

    def run(self, root) -> None:
        for element in root.iter():
            if element.text and not _SMARTY_MARKUP.search(element.text):
                element.text = AtomicString(element.text)
            if element.tail and not _SMARTY_MARKUP.search(element.tail):
                element.tail = AtomicString(element.tail)


class BoundedTableProcessor(TableProcessor):
    """The tables extension, refusing tables of more than MAX_TABLE_CELLS cells (every row
    gets as many cells as the header has columns: 6,000 characters of header and separator
    and 9,000 characters of ``|`` lines would make 27 million cells). Such a block stays a
    paragraph. A block whose first line has no ``|`` is refused before the extension splits
    the whole block into lines (which it would do again for each line a heading splits off)."""

    def test(self, parent, block: str) -> bool:
        header = block.split("\n", 1)[0]
        if "|" not in header or not super().test(parent, block):
            return False
        rows = block.count("\n") + 1
        return rows * len(self._split_row(header.strip(" "))) <= MAX_TABLE_CELLS


def install(md: Markdown) -> None:
    """Register the passes around Markdown's inline processor (priority 20).

    Smarty moves from after the prettifier (10) to before it (15): the prettifier gives
    every block a newline tail, and an inline processor looks each tail's element up in
    its parent's child list, so 10,000 paragraphs cost 50 million comparisons.
    """
    md.treeprocessors.register(BoundInlineText(md), "bound_inline", 25)
    md.treeprocessors.register(RestoreNeutralised(md), "restore_neutralised", 18)
    if "table" in md.parser.blockprocessors:
        tables = md.parser.blockprocessors["table"]
        md.parser.blockprocessors.register(
            BoundedTableProcessor(md.parser, tables.config), "table", 75
        )
    if "smarty" in md.treeprocessors:
        smarty = md.treeprocessors["smarty"]
        md.treeprocessors.deregister("smarty")
        md.treeprocessors.register(SkipTextWithoutSmartyMarkup(md), "skip_plain_text", 17)
        md.treeprocessors.register(smarty, "smarty", 15)
