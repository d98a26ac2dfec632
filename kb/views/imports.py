"""Staff import page: upload a Reddit thread's JSON, the same code path as ``import_reddit``.

Whatever the file holds, the answer is the imported thread or the form again with an error
naming the problem (400), and a failed import writes nothing (one transaction).
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from kb.importers import reddit
from kb.importers.base import ImportFileError
from kb.importers.limits import import_limits
from kb.importers.run import import_reddit_thread
from kb.models import Post
from kb.tags import parse_tag_input, validate_tag_names


class RedditImportForm(forms.Form):
    file = forms.FileField(label="Reddit thread JSON")
    tags = forms.CharField(
        required=False,
        max_length=200,
        help_text="Up to 5, separated by commas or spaces. Empty: the subreddit and flair.",
    )
    as_experience = forms.BooleanField(
        required=False, label="Import as an experience post (comments instead of answers)"
    )

    def __init__(self, *args, too_big: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_bytes = import_limits().upload_bytes
        self.too_big = too_big
        self.fields["file"].help_text = (
            "Save https://www.reddit.com/r/…/comments/…/.json?raw_json=1 "
            f"(at most {filesizeformat(self.max_bytes)})."
        )

    def clean(self):
        if self.too_big:  # the upload handler dropped the file: say why, not "required"
            self.errors.pop("file", None)
            self.add_error("file", self._too_big_message())
        return super().clean()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.max_bytes:
            raise ValidationError(self._too_big_message())
        return upload

    def clean_tags(self):
        names = parse_tag_input(self.cleaned_data["tags"])
        validate_tag_names(names, required=False)
        return names

    def _too_big_message(self) -> str:
        return f"The file is over the limit of {filesizeformat(self.max_bytes)}."


class _UploadLimit(FileUploadHandler):
    """Drops an upload as soon as it passes the limit: an oversized file is never stored."""

    def __init__(self, request, max_bytes: int):
        super().__init__(request)
        self.max_bytes = max_bytes
        self.received = 0
        self.too_big = False

    def new_file(self, *args, **kwargs):
        self.received = 0
        super().new_file(*args, **kwargs)

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.max_bytes:
            self.too_big = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler stores the file


@csrf_exempt  # checked by _import_form, once the upload limit is in place
@login_required
@require_http_methods(["GET", "POST"])
def import_page(request):
    if not request.user.is_staff:
        raise PermissionDenied("Only staff can import threads.")
    limit = _UploadLimit(request, import_limits().upload_bytes)
    request.upload_handlers.insert(0, limit)
    return _import_form(request, limit)


@csrf_protect
def _import_form(request, limit: _UploadLimit):
    posted = request.method == "POST"
    form = RedditImportForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        too_big=limit.too_big,
    )
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            thread = reddit.parse_bytes(
                upload.read(),
                name=upload.name,
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
