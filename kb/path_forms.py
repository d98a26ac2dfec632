"""Form parts for career paths: the steps formset, background and career-move fields.

Steps are a plain Django formset, so they work without JavaScript (blank rows to fill, a
"remove" box per step); static/js/site.js only adds an "Add a step" button and hides the
spare blank rows.
"""

from decimal import Decimal

from django import forms

from kb.form_fields import LimitedCharField
from kb.paths import MAX_PATH_STEPS, MAX_ROLE_LENGTH, MAX_YEARS, CompanySize, PlaceKind

SPARE_STEP_ROWS = 2
STEPS_PREFIX = "step"


def years_field(label: str, help_text: str = "", *, decimals: int = 1) -> forms.Field:
    field_class = forms.DecimalField if decimals else forms.IntegerField
    extra = {"decimal_places": decimals, "max_digits": 3} if decimals else {}
    return field_class(
        label=label,
        required=False,
        min_value=0,
        max_value=MAX_YEARS,
        help_text=help_text,
        **extra,
        widget=forms.NumberInput(
            attrs={"step": "0.5" if decimals else "1", "inputmode": "decimal"}
        ),
        error_messages={
            "invalid": "Years must be a number, like 2 or 1.5.",
            "min_value": "Years cannot be negative.",
            "max_value": f"Years must be at most {MAX_YEARS}.",
            "max_decimal_places": "Use at most one decimal place, like 1.5.",
            "max_digits": f"Years must be at most {MAX_YEARS}.",
            "max_whole_digits": f"Years must be at most {MAX_YEARS}.",
        },
    )


def role_field(label: str, help_text: str = "") -> LimitedCharField:
    return LimitedCharField(
        label=label,
        required=False,
        max_length=MAX_ROLE_LENGTH,
        help_text=help_text,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


def size_field(label: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        required=False,
        choices=[("", "—"), *CompanySize.choices],
        error_messages={"invalid_choice": "Pick a company size from the list."},
    )


class PathStepForm(forms.Form):
    role = role_field("Role or study")
    place = forms.ChoiceField(
        label="Place",
        required=False,
        choices=[("", "—"), *PlaceKind.choices],
        error_messages={"invalid_choice": "Pick a kind of place from the list."},
    )
    years = years_field("Years")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A counter under one cell of a row would push the row's cells out of line.
        self.fields["role"].widget.attrs.pop("data-counter", None)

    def clean(self):
        cleaned = super().clean()
        filled = cleaned.get("place") or cleaned.get("years") is not None
        if filled and not cleaned.get("role") and "role" not in self.errors:
            self.add_error("role", "Name the role or study of this step, or leave the row empty.")
        return cleaned


class _StepFormSet(forms.BaseFormSet):
    def steps(self) -> list[dict]:
        """The filled, kept rows in order, as ``kb.paths.clean_steps`` stores them."""
        return [
            {
                "role": form.cleaned_data["role"],
                "place": form.cleaned_data.get("place") or "",
                "years": _years_text(form.cleaned_data.get("years")),
            }
            for form in self.forms
            if form.cleaned_data.get("role") and not self._should_delete_form(form)
        ]


def _years_text(years: Decimal | None) -> str:
    return "" if years is None else f"{years.normalize():f}"


def step_formset(data=None, steps=(), prefix: str = STEPS_PREFIX) -> _StepFormSet:
    """The steps formset: bound when ``data`` holds it, else showing ``steps``.

    Data without the formset (a client that posts the other fields only) leaves it
    unbound: ``steps_from`` then keeps what was saved.
    """
    initial = [
        {"role": step.get("role", ""), "place": step.get("place", ""), "years": step.get("years")}
        for step in steps
    ]
    formset_class = forms.formset_factory(
        PathStepForm,
        formset=_StepFormSet,
        extra=max(0, min(SPARE_STEP_ROWS, MAX_PATH_STEPS - len(initial))),
        can_delete=True,
        max_num=MAX_PATH_STEPS,
        absolute_max=MAX_PATH_STEPS,
        validate_max=True,
    )
    bound = data is not None and f"{prefix}-TOTAL_FORMS" in data
    formset = formset_class(data if bound else None, initial=initial, prefix=prefix)
    formset.error_messages = {
        **formset.error_messages,
        "too_many_forms": f"A path has at most {MAX_PATH_STEPS} steps.",
        "missing_management_form": "The steps of the path were sent incompletely; "
        "please reload the page and try again.",
    }
    return formset


def steps_from(formset: _StepFormSet, saved: list) -> list[dict]:
    return formset.steps() if formset.is_bound else list(saved or [])
