"""Staff import page: upload a Reddit thread's JSON, the same code path as ``import_reddit``."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from kb.importers import reddit
from kb.importers.base import ImportFileError
from kb.importers.run import import_reddit_thread
from kb.models import Post
from kb.tags import parse_tag_input, validate_tag_names

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class RedditImportForm(forms.Form):
    file = forms.FileField(
        label="Reddit thread JSON",
        help_text="Save https://www.reddit.com/r/…/comments/…/.json?raw_json=1 (at most 5 MB).",
    )
    tags = forms.CharField(
        required=False,
        max_length=200,
        help_text="Up to 5, separated by commas or spaces. Empty: the subreddit and flair.",
    )
    as_experience = forms.BooleanField(
        required=False, label="Import as an experience post (comments instead of answers)"
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(
                f"The file is {upload.size / 1024 / 1024:.1f} MB; the limit is 5 MB."
            )
        try:
            return upload.name, upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError("The file is not UTF-8 text: is it the thread's JSON?") from None

    def clean_tags(self):
        names = parse_tag_input(self.cleaned_data["tags"])
        validate_tag_names(names, required=False)
        return names


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request):
    if not request.user.is_staff:
        raise PermissionDenied("Only staff can import threads.")
    form = RedditImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        name, text = form.cleaned_data["file"]
        try:
            thread = reddit.parse_text(
                text,
                name=name,
                as_experience=form.cleaned_data["as_experience"],
                tags=form.cleaned_data["tags"],
            )
            report = import_reddit_thread(thread)
        except ImportFileError as error:
            form.add_error("file", str(error))
        else:
            messages.success(request, report.summary())
            opened = _opening_post_id(thread, report)
            url = reverse("kb:import")
            return redirect(f"{url}?imported={opened}" if opened else url)
    imported = _imported_post(request.GET.get("imported")) if request.method == "GET" else None
    context = {"form": form, "imported": imported}
    return render(request, "kb/import.html", context, status=400 if form.errors else 200)


def _opening_post_id(thread, report) -> int | None:
    """The thread's first post, new or imported before (a re-import links to it too)."""
    if report.first_post_id:
        return report.first_post_id
    return (
        Post.objects.filter(source_id=thread.question.source_id)
        .exclude(source="")
        .values_list("pk", flat=True)
        .first()
    )


def _imported_post(raw_id: str | None) -> Post | None:
    if not raw_id or not raw_id.isdigit():
        return None
    return Post.objects.exclude(source="").exclude(kind=Post.Kind.ANSWER).filter(pk=raw_id).first()
