"""Forms for asking, answering and commenting. Length limits here are what users see."""

from datetime import timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from kb.form_fields import LimitedCharField
from kb.models import CareerMove, Post
from kb.path_forms import role_field, size_field, step_formset, steps_from, years_field
from kb.paths import clean_role_text, normalise_roles
from kb.tags import (
    MAX_TAG_LENGTH,
    MAX_TAGS,
    TAG_NAME_RE,
    TAG_SPACE_CLASS,
    parse_tag_input,
    resolve_synonyms,
    validate_tag_names,
)

TITLE_MIN, TITLE_MAX = 15, 150
BODY_MIN, BODY_MAX = 30, 30_000
COMMENT_MIN, COMMENT_MAX = 15, 600

# The same author sending the same text again this soon is a double submit (a second click,
# the Back button, a retried request): they get the post they already have.
DUPLICATE_WINDOW = timedelta(minutes=10)


def _body_field(label: str, help_text: str = "") -> forms.CharField:
    return LimitedCharField(
        label=label,
        min_length=BODY_MIN,
        max_length=BODY_MAX,
        strip=True,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 12}),
        error_messages={"required": "Write the text of your post."},
    )


class QuestionForm(forms.Form):
    kind = Post.Kind.QUESTION
    title = LimitedCharField(
        label="Title",
        min_length=TITLE_MIN,
        max_length=TITLE_MAX,
        help_text="Be specific: “PhD or a product team for computer vision?”",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"required": "Give your question a title."},
    )
    body = _body_field(
        "Your question",
        "Markdown: **bold**, *italic*, lists, `code`, fenced code blocks and tables. "
        "Say where you are now and what you are choosing between.",
    )
    tags = LimitedCharField(
        label="Tags",
        max_length=300,
        help_text=f"1 to {MAX_TAGS} tags, separated by commas (spaces inside a tag become "
        "hyphens): <code>machine learning, career switch</code>. Without a comma, spaces "
        "separate: <code>career-switch computer-vision</code>.",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "list": "tag-suggestions",
                "class": "js-tag-input",
                # What the live preview checks, from the rules the server applies.
                "data-max-tags": MAX_TAGS,
                "data-max-tag-length": MAX_TAG_LENGTH,
                "data-tag-pattern": f"^(?:{TAG_NAME_RE.pattern})$",
                "data-tag-space": TAG_SPACE_CLASS,
            }
        ),
        error_messages={"required": "Add at least one tag, e.g. skills or career-switch."},
    )

    def clean_tags(self) -> list[str]:
        names = parse_tag_input(self.cleaned_data["tags"])
        validate_tag_names(names)
        return resolve_synonyms(names)

    def save(self, author) -> tuple[Post, bool]:
        """(the post, True) or, for a double submit, (the post already made, False)."""
        with transaction.atomic():
            lock_author(author)
            title, body = self.cleaned_data["title"], self.cleaned_data["body"]
            repeat = recent_duplicate(author, kind=self.kind, title=title, body=body)
            if repeat:
                return repeat, False
            post = Post.publish(
                author,
                kind=self.kind,
                title=title,
                body=body,
                tags=self.cleaned_data["tags"],
                anonymous=self.cleaned_data.get("anonymous", False),
            )
        return post, True


ANONYMOUS_HELP = (
    "Others see “Anonymous member” instead of your name, avatar and reputation, here and in "
    "lists, search, feeds and notifications; your profile shows it to you alone. Staff can "
    "still see who asked. Votes on it earn or cost you no reputation. You keep every right "
    "of the asker (edit, accept, notifications), and your answers and comments on it stay "
    "anonymous too. It can't be changed after posting."
)


class AskForm(QuestionForm):
    """The ask page: a question, optionally asked anonymously (only here, never on edit)."""

    anonymous = forms.BooleanField(
        label="Ask anonymously", required=False, help_text=ANONYMOUS_HELP
    )


class ExperienceForm(QuestionForm):
    """An experience post: the story, and optionally the move it tells in fields."""

    kind = Post.Kind.EXPERIENCE
    from_role = role_field("From role", "Where you started, e.g. “Mechanical engineer”.")
    to_role = role_field("To role", "Where you got to, e.g. “Perception engineer”.")
    years_taken = years_field("Years it took", "e.g. 1.5")
    size_before = size_field("Company size before")
    size_after = size_field("Company size after")
    decision = LimitedCharField(
        label="The decision",
        required=False,
        max_length=200,
        help_text="In one line: “Left the PhD after year four for a product team”.",
    )
    move_field_names = (
        "from_role",
        "to_role",
        "years_taken",
        "size_before",
        "size_after",
        "decision",
    )

    def __init__(self, *args, steps=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "title"
        ].help_text = (
            "What happened, in one line: “From mechanical engineering to perception in 18 months”"
        )
        self.fields["body"].label = "Your story"
        self.fields["body"].help_text = (
            "Markdown. Where you started, what you tried, what worked and what you would "
            "do differently."
        )
        self.saved_steps = list(steps)
        # A preview re-shows what was typed: the steps come back in ``initial``.
        typed = self.data if self.is_bound else self.initial
        self.steps = step_formset(typed, self.saved_steps)

    @property
    def main_fields(self):
        return [f for f in self.visible_fields() if f.name not in self.move_field_names]

    @property
    def move_fields(self):
        return [self[name] for name in self.move_field_names]

    def is_valid(self):
        steps_valid = not self.steps.is_bound or self.steps.is_valid()
        return super().is_valid() and steps_valid

    def clean_from_role(self):
        return _role_text(self.cleaned_data["from_role"])

    def clean_to_role(self):
        return _role_text(self.cleaned_data["to_role"])

    def clean(self):
        cleaned = super().clean()
        from_role, to_role = normalise_roles([cleaned.get("from_role"), cleaned.get("to_role")])
        if from_role and from_role == to_role:
            self.add_error("to_role", "From and to are the same role; name the role you moved to.")
        return cleaned

    def move_data(self) -> dict:
        """The structured fields, for ``CareerMove.record``."""
        data = {name: self.cleaned_data.get(name) for name in self.move_field_names}
        data["steps"] = steps_from(self.steps, self.saved_steps)
        return data

    def save(self, author) -> tuple[Post, bool]:
        with transaction.atomic():
            post, created = super().save(author)
            if created:
                CareerMove.record(post, **self.move_data())
        return post, created


def _role_text(text: str) -> str:
    if text and not clean_role_text(text):
        raise forms.ValidationError("Write the role in words, like “Data scientist”.")
    return text


def edit_form_for(post: Post, data=None, typed: dict | None = None):
    """The edit form of a post, filled with its current text, or with ``typed`` over it (a
    preview shows what was typed, unsaved)."""
    if post.is_answer:
        return AnswerForm(data, initial={"body": post.body, **(typed or {})})
    # Commas, so a tag the author adds with a space in it stays one tag.
    initial = {"title": post.title, "body": post.body, "tags": ", ".join(post.tag_names())}
    if post.is_question:
        return QuestionForm(data, initial={**initial, **(typed or {})})
    move = CareerMove.objects.filter(post=post).first()
    if move is not None:
        initial.update({name: getattr(move, name) for name in ExperienceForm.move_field_names})
    initial.update(typed or {})
    return ExperienceForm(data, initial=initial, steps=move.steps if move else ())


class AnswerForm(forms.Form):
    body = _body_field("Markdown", "Share what you did and what happened, not only advice.")

    def save(self, question: Post, author) -> tuple[Post, bool]:
        """(the answer, True) or, for a double submit, (the answer already made, False)."""
        body = self.cleaned_data["body"]
        with transaction.atomic():
            lock_author(author)
            repeat = recent_duplicate(author, kind=Post.Kind.ANSWER, parent=question, body=body)
            if repeat:
                return repeat, False
            return question.add_answer(author, body), True


class CommentForm(forms.Form):
    body = LimitedCharField(
        label="Comment",
        min_length=COMMENT_MIN,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Inline Markdown only: *italic*, **bold**, `code`, links.",
        error_messages={"required": "Write a comment first."},
    )


def lock_author(author) -> None:
    """Serialise one author's posting: of two submits at once, the second waits for the
    first to commit and then finds its post (on SQLite the IMMEDIATE transaction does it)."""
    users = get_user_model().objects.select_for_update().filter(pk=author.pk)
    list(users.values_list("pk", flat=True))


def recent_duplicate(author, **same) -> Post | None:
    """The author's newest post (held for review too) of the last minutes that matches
    ``same``."""
    since = timezone.now() - DUPLICATE_WINDOW
    posts = Post.objects.filter(is_deleted=False, author=author, created_at__gte=since, **same)
    return posts.order_by("-created_at").first()


OUTCOME_MIN, OUTCOME_MAX = 20, 10_000


class OutcomeForm(forms.Form):
    body = LimitedCharField(
        label="Outcome",
        min_length=OUTCOME_MIN,
        max_length=OUTCOME_MAX,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Markdown. What did you decide, and how is it going? Readers with the same "
        "choice learn most from what happened next.",
        error_messages={"required": "Write what you decided and how it went."},
    )

    def __init__(self, *args, **kwargs):
        # Its own ids: it shares the question page with the answer form's "body".
        kwargs.setdefault("auto_id", "outcome_%s")
        super().__init__(*args, **kwargs)
