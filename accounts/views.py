from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.forms import USERNAME_TAKEN, ProfileForm, SignUpForm
from accounts.models import User
from kb.models import Post

ACTIVITY_LIMIT = 20


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True


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


def signup(request):
    if request.user.is_authenticated:
        return redirect("kb:home")
    form = SignUpForm(request.POST or None)
    user = _create_account(form) if request.method == "POST" and form.is_valid() else None
    if user:
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome to CareerKB, {user.name}! Your account is ready.")
        return redirect(_safe_next(request) or user.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "registration/signup.html",
        {"form": form, "next": _safe_next(request)},
        status=status,
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
    posts = (
        Post.objects.visible()
        .filter(author=person)
        .select_related("parent")
        .order_by("-created_at")[:ACTIVITY_LIMIT]
    )
    counts = Post.objects.visible().filter(author=person).kind_counts()
    return render(
        request,
        "accounts/profile.html",
        {"person": person, "activity": posts, "counts": counts},
    )


def user_list(request):
    users = User.objects.filter(is_active=True).order_by("-reputation", "username")
    page = Paginator(users, 36).get_page(request.GET.get("page"))
    return render(request, "accounts/user_list.html", {"page": page})


@login_required
def edit_profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, "Your profile was saved.")
            return redirect(request.user.get_absolute_url())
        return render(request, "accounts/edit_profile.html", {"form": form}, status=400)
    return render(request, "accounts/edit_profile.html", {"form": form})
