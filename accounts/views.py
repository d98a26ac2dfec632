from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.forms import USERNAME_TAKEN, ProfileForm, QueuedPasswordResetForm, SignUpForm
from accounts.models import User
from accounts.verification import InvalidVerificationLink, queue_verification_email, user_for_token
from kb import permissions
from kb.models import Post
from kb.ratelimits import describe_wait, limit_reached, rate_limit
from kb.views.errors import too_many_requests

ACTIVITY_LIMIT = 20


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True


def login_locked_out(request, response=None, credentials=None):
    """django-axes' answer once a username has failed too often from one address (site and
    admin log-in alike): 429, when to come back, and the way out that needs no password."""
    retry_after = _lockout_seconds_left(request, credentials)
    message = (
        "Too many failed log-ins for this account from your network. To keep it safe, "
        f"log-in is paused: please try again in {describe_wait(retry_after)}, or reset "
        "your password by e-mail."
    )
    return too_many_requests(request, message, retry_after, offer_password_reset=True)


def _lockout_seconds_left(request, credentials) -> int:
    # Tries during a lock-out are not recorded (settings), so it ends a cool-off after the
    # last counted failure.
    cool_off = get_cool_off(request)
    last_failure = AccessAttempt.objects.filter(
        username=get_client_username(request, credentials),
        ip_address=request.axes_ip_address,
    ).aggregate(last=Max("attempt_time"))["last"]
    ends = (last_failure or timezone.now()) + cool_off
    return max(int((ends - timezone.now()).total_seconds()), 1)


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.info(request, "You are logged out. See you soon.")
        return response


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return ""


@rate_limit("signup")
def signup(request):
    if request.user.is_authenticated:
        return redirect("kb:home")
    form = SignUpForm(request.POST or None)
    user = _create_account(form) if request.method == "POST" and form.is_valid() else None
    if user:
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome to CareerKB, {user.name}!")
        _send_link(request, user, say_so=False)  # the banner on every page says it
        return redirect(_safe_next(request) or user.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "registration/signup.html",
        {"form": form, "next": _safe_next(request)},
        status=status,
    )


def _send_link(request, user, *, say_so: bool = True) -> None:
    """Queue the verification link (saying so unless ``say_so`` is False); a queue that is
    down costs the member nothing (the banner's button sends it again later)."""
    if not queue_verification_email(user, site_url=request.build_absolute_uri("/")):
        messages.warning(
            request,
            "We could not send the link to confirm your e-mail just now: please use "
            "“Send the link again” in a few minutes.",
        )
        return
    if not say_so:
        return
    messages.info(
        request,
        f"We are sending a link to {user.email}: open it to confirm your address, so your "
        "posts are published without waiting for review.",
    )


def verify_email(request, token: str):
    """The link from the e-mail: a page with a button (a GET changes nothing, so mail
    scanners that open links verify nobody); the POST verifies and publishes held posts."""
    try:
        member = user_for_token(token)
    except InvalidVerificationLink as invalid:
        return render(
            request, "registration/verify_email.html", {"error": str(invalid)}, status=400
        )
    if request.method == "POST":
        released = member.verify_email()
        done = "Your e-mail address is confirmed."
        if released:
            done += (
                f" {released} post{'s' if released != 1 else ''} waiting for review are now public."
            )
        messages.success(request, done)
        return redirect(member.get_absolute_url())
    return render(request, "registration/verify_email.html", {"member": member, "token": token})


@require_POST
@login_required
@rate_limit("verification_email")
def resend_verification(request):
    if request.user.is_email_verified:
        messages.info(request, "Your e-mail address is confirmed already.")
    else:
        _send_link(request, request.user)
    return redirect(_safe_next(request) or request.user.get_absolute_url())


# Per e-mail address and per network address: neither one inbox nor one sender can flood.
password_reset = rate_limit("password_reset_ip")(
    rate_limit("password_reset_email")(
        auth_views.PasswordResetView.as_view(
            form_class=QueuedPasswordResetForm,
            success_url=reverse_lazy("accounts:password_reset_done"),
            email_template_name="registration/password_reset_email.txt",
            subject_template_name="registration/password_reset_subject.txt",
        )
    )
)


def _create_account(form: SignUpForm) -> User | None:
    """The new member, or None with a form error when a concurrent sign-up took the name."""
    try:
        with transaction.atomic():
            return form.save()
    except IntegrityError:
        form.add_error("username", USERNAME_TAKEN)
        return None


def profile(request, username):
    person = get_object_or_404(User, username=username)
    own_posts = Post.objects.public().filter(author=person)
    if not permissions.can_see_anonymous_posts_of(request.user, person):
        own_posts = own_posts.signed()  # others learn nothing of what they asked anonymously
    posts = own_posts.select_related("parent").order_by("-created_at")[:ACTIVITY_LIMIT]
    counts = own_posts.kind_counts()
    context = {"person": person, "activity": posts, "counts": counts, "held": []}
    if request.user == person or request.user.is_staff:  # as on the posts' own pages
        held = Post.objects.filter(author=person, is_deleted=False).exclude(held_reason="")
        context["held"] = held.select_related("parent").order_by("-created_at")[:ACTIVITY_LIMIT]
    return render(request, "accounts/profile.html", context)


def user_list(request):
    users = User.objects.filter(is_active=True).order_by("-reputation", "username")
    page = Paginator(users, 36).get_page(request.GET.get("page"))
    return render(request, "accounts/user_list.html", {"page": page})


@login_required
def edit_profile(request):
    old_address = request.user.email.casefold()  # validating the form changes the instance
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST":
        if form.is_valid():
            new_address = form.instance.email.casefold() != old_address
            # Each new address is sent a link: counted as "send the link again" is.
            refusal = new_address and limit_reached(request, "verification_email")
            if refusal:
                request.user.refresh_from_db()  # validating wrote the typed values on it
                form.add_error("email", refusal.message)
                return render(request, "accounts/edit_profile.html", {"form": form}, status=429)
            if new_address:
                form.instance.email_verified_at = None  # the new address is confirmed anew
            form.save()
            messages.success(request, "Your profile was saved.")
            if new_address:
                _send_link(request, request.user)
            return redirect(request.user.get_absolute_url())
        return render(request, "accounts/edit_profile.html", {"form": form}, status=400)
    return render(request, "accounts/edit_profile.html", {"form": form})
