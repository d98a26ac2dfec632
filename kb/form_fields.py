"""Text fields that count characters the way the browser does.

A browser sends each line break of a textarea as ``\\r\\n`` but counts it as one character
for ``maxlength`` and in ``textarea.value.length``; it also counts in UTF-16 code units
(an emoji is two). So a pasted body the browser cut to 30,000 characters arrived here as
30,570 and was refused. These fields store ``\\n`` line breaks and count exactly what the
browser counts, so the live counter in static/js/site.js, the ``maxlength`` attribute and
the server's message always agree.
"""

import re

from django import forms
from django.core import validators
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

_LINE_BREAK_RE = re.compile(r"\r\n?")

LENGTH_MESSAGES = {
    "min_length": "Write at least %(limit_value)s characters (you wrote %(show_value)s).",
    "max_length": "Keep it to %(limit_value)s characters (you wrote %(show_value)s).",
}


def normalize_newlines(text: str) -> str:
    """``\\r\\n`` and lone ``\\r`` -> ``\\n``, as the browser's ``textarea.value`` has them."""
    return _LINE_BREAK_RE.sub("\n", text)


def browser_length(text: str) -> int:
    """Length as ``maxlength`` and JavaScript's ``.length`` count it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


class _BrowserCounting:
    """Counts with ``browser_length`` and writes numbers as the counter does: ``30,000``."""

    def clean(self, x: str) -> int:
        return browser_length(x)

    def __call__(self, value: str) -> None:
        length = self.clean(value)
        if self.compare(length, self.limit_value):
            params = {"limit_value": f"{self.limit_value:,}", "show_value": f"{length:,}"}
            raise ValidationError(self.message, code=self.code, params=params)


@deconstructible
class BrowserMaxLengthValidator(_BrowserCounting, validators.MaxLengthValidator):
    pass


@deconstructible
class BrowserMinLengthValidator(_BrowserCounting, validators.MinLengthValidator):
    pass


class LimitedCharField(forms.CharField):
    """A CharField whose limits count like the browser, with ``\\n`` line breaks stored.

    Its widget carries ``data-counter``: site.js shows how many characters are left.
    """

    def __init__(self, *args, **kwargs):
        kwargs["error_messages"] = {**LENGTH_MESSAGES, **kwargs.get("error_messages", {})}
        super().__init__(*args, **kwargs)
        self.validators = [_browser_counting(validator) for validator in self.validators]

    def to_python(self, value):
        return normalize_newlines(super().to_python(value))

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if self.max_length is not None and not widget.is_hidden:
            attrs["data-counter"] = ""
        return attrs


def _browser_counting(validator):
    if type(validator) is validators.MaxLengthValidator:
        return BrowserMaxLengthValidator(validator.limit_value, validator.message)
    if type(validator) is validators.MinLengthValidator:
        return BrowserMinLengthValidator(validator.limit_value, validator.message)
    return validator


def limited_formfield(db_field, **kwargs) -> forms.Field | None:
    """A ModelForm's ``formfield_callback``: its text fields count like the browser too."""
    field = db_field.formfield(**kwargs)
    if type(field) is not forms.CharField or field.max_length is None:
        return field
    return LimitedCharField(
        required=field.required,
        label=field.label,
        help_text=field.help_text,
        initial=field.initial,
        max_length=field.max_length,
        min_length=field.min_length,
        strip=field.strip,
        empty_value=field.empty_value,
        widget=field.widget,
    )
