"""E-mail settings (/accounts/settings/email/) and the one-click unsubscribe link."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from kb.email_forms import EmailSettingsForm
from kb.email_models import EmailPreference
from kb.emails import SCOPES, BadToken, read_unsubscribe_token
from kb.views.errors import _error

BAD_LINK = (
    "This unsubscribe link is incomplete or was changed, so it cannot tell whose e-mail to "
    "stop. Copy the whole link from the e-mail, or log in and choose in your e-mail settings."
)


@login_required
def email_settings(request):
    preferences = EmailPreference.objects.for_user(request.user)
    form = EmailSettingsForm(request.POST or None, preferences=preferences)
    if request.method == "POST":
        if form.is_valid():
            form.save(request.user)
            messages.success(request, "Your e-mail settings were saved.")
            return redirect("kb:email-settings")
        return render(request, "kb/email_settings.html", {"form": form}, status=400)
    return render(request, "kb/email_settings.html", {"form": form})


# CSRF-exempt on purpose, and only this view: RFC 8058 one-click unsubscribe is a POST that
# the mail client sends on its own, with no cookie and no CSRF token. The signed token in
# the URL is what authenticates it, and all it can do is turn e-mail off.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    try:
        person, scope = read_unsubscribe_token(token)
    except BadToken:
        return _error(request, 400, "This link does not work", BAD_LINK)
    context = {"person": person, "what": SCOPES[scope], "token": token}
    if request.method == "POST":
        EmailPreference.objects.stop(person, scope)
        return render(request, "kb/unsubscribe.html", {**context, "done": True})
    return render(request, "kb/unsubscribe.html", context)
