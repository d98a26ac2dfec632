"""Forms for asking, answering and commenting. Length limits here are what users see."""

from django import forms

from kb.models import Post
from kb.tags import (
    MAX_TAGS,
    parse_tag_input,
    resolve_synonyms,
    validate_tag_names,
)

TITLE_MIN, TITLE_MAX = 15, 150
BODY_MIN, BODY_MAX = 30, 30_000
COMMENT_MIN, COMMENT_MAX = 15, 600

_LENGTH_MESSAGES = {
    "min_length": "Write at least %(limit_value)d characters (you wrote %(show_value)d).",
    "max_length": "Keep it to %(limit_value)d characters (you wrote %(show_value)d).",
}


def _body_field(label: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        min_length=BODY_MIN,
        max_length=BODY_MAX,
        strip=True,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 12}),
        error_messages={"required": "Write the text of your post.", **_LENGTH_MESSAGES},
    )


class QuestionForm(forms.Form):
    kind = Post.Kind.QUESTION
    title = forms.CharField(
        label="Title",
        min_length=TITLE_MIN,
        max_length=TITLE_MAX,
        help_text="Be specific: “PhD or a product team for computer vision?”",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"required": "Give your question a title.", **_LENGTH_MESSAGES},
    )
    body = _body_field(
        "Your question",
        "Markdown: **bold**, *italic*, lists, `code`, fenced code blocks and tables. "
        "Say where you are now and what you are choosing between.",
    )
    tags = forms.CharField(
        label="Tags",
        max_length=300,
        help_text=f"1 to {MAX_TAGS} tags separated by spaces or commas, e.g. "
        "<code>career-switch computer-vision</code>.",
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "list": "tag-suggestions", "class": "js-tag-input"}
        ),
        error_messages={"required": "Add at least one tag, e.g. skills or career-switch."},
    )

    def clean_tags(self) -> list[str]:
        names = parse_tag_input(self.cleaned_data["tags"])
        validate_tag_names(names)
        return resolve_synonyms(names)

    def save(self, author) -> Post:
        return Post.publish(
            author,
            kind=self.kind,
            title=self.cleaned_data["title"],
            body=self.cleaned_data["body"],
            tags=self.cleaned_data["tags"],
        )


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
    initial = {"title": post.title, "body": post.body, "tags": " ".join(post.tag_names())}
    return form_class(data, initial=initial)


class AnswerForm(forms.Form):
    body = _body_field("Markdown", "Share what you did and what happened, not only advice.")


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Comment",
        min_length=COMMENT_MIN,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Inline Markdown only: *italic*, **bold**, `code`, links.",
        error_messages={"required": "Write a comment first.", **_LENGTH_MESSAGES},
    )
