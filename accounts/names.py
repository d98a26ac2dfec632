"""The names members are known by, reduced to a key that is equal for names that look alike.

``name_key("\u0430lice")`` (a Cyrillic "a") == ``name_key("Alice")`` == ``name_key("a1ice")``
== ``name_key("alice")``: NFKC (fullwidth letters become ASCII), case folding and a UTS #39
skeleton (each character replaced by the prototype of its confusable class). The confusable
classes come from Unicode's confusables.txt as packaged by ``confusable_homoglyphs`` (the
library django-registration uses for the same purpose).
"""

import re
import unicodedata
from functools import cache

from confusable_homoglyphs.confusables import confusables_data

# The package writes right-to-left characters between two LEFT-TO-RIGHT MARKs for display.
_DISPLAY_MARK = "\u200e"
_SPACES_RE = re.compile(r"\s+")


def name_key(name: str) -> str:
    """The key two names share when people could mistake one for the other."""
    text = unicodedata.normalize("NFKC", name).casefold()
    text = "".join(char for char in text if unicodedata.category(char) != "Cf")  # invisible
    text = _SPACES_RE.sub(" ", text).strip()
    prototypes = _prototypes()
    skeleton = "".join(prototypes.get(char, char) for char in unicodedata.normalize("NFD", text))
    return unicodedata.normalize("NFD", skeleton).casefold()


@cache
def _prototypes() -> dict[str, str]:
    """{character: the prototype of its confusable class}.

    The package lists, under each prototype, the characters that map to it, and under each
    of those, the prototype alone. A prototype with a single look-alike is listed the same
    way as that look-alike, so which of the two is the prototype is lost; either serves as
    the class's key, so the smaller is taken.
    """
    entries = {
        key.replace(_DISPLAY_MARK, ""): [item["c"].replace(_DISPLAY_MARK, "") for item in items]
        for key, items in confusables_data.items()
    }
    prototypes = {}
    for key, look_alikes in entries.items():
        if len(look_alikes) > 1:
            for char in look_alikes:
                prototypes[char] = key
    for key, look_alikes in entries.items():
        if len(look_alikes) == 1 and key not in prototypes and key > look_alikes[0]:
            prototypes[key] = look_alikes[0]  # a pair: the smaller one stands for both
    return {char: proto for char, proto in prototypes.items() if len(char) == 1}
