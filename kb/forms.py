"""Forms for asking, answering and commenting. Length limits here are what users see."""

from datetime import timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from kb.form_fields import LimitedCharField
from kb.models import Post
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
                author, kind=self.kind, title=title, body=body, tags=self.cleaned_data["tags"]
            )
        return post, True


class ExperienceForm(QuestionForm):
    kind = Post.Kind.EXPERIENCE

    def __init__(self, *args, **kwargs):
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


def edit_form_for(post: Post, data=None):
    """The edit form of a post, filled with its current text."""
    if post.is_answer:
        return AnswerForm(data, initial={"body": post.body})
    form_class = QuestionForm if post.is_question else ExperienceForm
    # Commas, so a tag the author adds with a space in it stays one tag.
    initial = {"title": post.title, "body": post.body, "tags": ", ".join(post.tag_names())}
    return form_class(data, initial=initial)


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
    """The author's newest visible post of the last minutes that matches ``same``."""
    since = timezone.now() - DUPLICATE_WINDOW
    posts = Post.objects.visible().filter(author=author, created_at__gte=since, **same)
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
