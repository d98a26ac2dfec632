from confusable_homoglyphs import confusables
from django import forms
from django.contrib.auth.forms import (
    AdminUserCreationForm,
    PasswordResetForm,
    UserChangeForm,
    UserCreationForm,
)
from django.db.models import Q
from django.template import loader

from accounts.models import User
from accounts.names import name_key
from kb.form_fields import limited_formfield
from kb.path_forms import role_field, step_formset, steps_from, years_field
from kb.paths import clean_role_text

USERNAME_TAKEN = (
    "That username is taken, or looks too much like a member's name; please pick another."
)
MIXED_SCRIPTS = (
    "A username cannot mix look-alike letters from different alphabets (such as Latin “a” "
    "and Cyrillic “\u0430”); please type it in one alphabet."
)
DISPLAY_NAME_TAKEN = (
    "Another member goes by that name, or one that looks the same; please pick another "
    "display name."
)


def _other_members(user: User | None):
    """Members a name must not be mistaken for: imported authors keep their sources' names."""
    members = User.objects.filter(is_imported=False)
    return members.exclude(pk=user.pk) if user and user.pk else members


def check_username(username: str, *, user: User | None = None) -> str:
    """The username, if no other member's username or display name looks like it."""
    key = name_key(username)
    if _other_members(user).filter(Q(username_key=key) | Q(display_name_key=key)).exists():
        raise forms.ValidationError(USERNAME_TAKEN, code="unique")
    if confusables.is_dangerous(username):
        raise forms.ValidationError(MIXED_SCRIPTS, code="mixed_scripts")
    return username


def check_display_name(display_name: str, *, username: str, user: User | None = None) -> str:
    """The display name, unless it copies another member's username or display name."""
    key = name_key(display_name)
    if not key or key == name_key(username):  # your own username is yours to show
        return display_name
    if _other_members(user).filter(Q(username_key=key) | Q(display_name_key=key)).exists():
        raise forms.ValidationError(DISPLAY_NAME_TAKEN, code="unique")
    return display_name


class SignUpForm(UserCreationForm):
    email = forms.EmailField(
        help_text="We send a link to confirm it (your posts wait for review until you "
        "do); then used only to reset your password. Never shown to anyone.",
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email", "display_name")
        formfield_callback = limited_formfield

    def save(self, commit=True):
        user = super().save(commit=False)
        user.email_verified_at = None  # until they open the link we send (accounts/verification.py)
        if commit:
            user.save()
        return user

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("An account with this e-mail already exists.")
        return email

    def clean_username(self):
        # The username field has already NFKC-normalised it (Django's UsernameField).
        return check_username(self.cleaned_data["username"])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("display_name") and cleaned.get("username"):
            try:
                check_display_name(cleaned["display_name"], username=cleaned["username"])
            except forms.ValidationError as error:
                self.add_error("display_name", error)
        return cleaned


class ProfileForm(forms.ModelForm):
    current_password = forms.CharField(
        label="Current password",
        required=False,
        strip=False,
        help_text="Needed only to change your e-mail address.",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    current_role = role_field(
        "Current role", "e.g. “Perception engineer”; “SWE” and the like are filed as the full name."
    )
    career_field = role_field("Field", "e.g. “Computer vision” or “Robotics”.")
    years_experience = years_field("Years of experience", decimals=0)

    background_field_names = (
        "current_role",
        "career_field",
        "years_experience",
        "highest_degree",
        "company_size",
    )

    class Meta:
        model = User
        fields = (
            "display_name",
            "headline",
            "bio",
            "email",
            "current_role",
            "career_field",
            "years_experience",
            "highest_degree",
            "company_size",
        )
        widgets = {"bio": forms.Textarea(attrs={"rows": 6})}
        help_texts = {"bio": "Plain text, up to 3,000 characters."}
        labels = {"company_size": "Company size"}
        formfield_callback = limited_formfield

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("highest_degree", "company_size"):
            self.fields[name].error_messages["invalid_choice"] = "Pick one from the list."
        self.steps = step_formset(self.data if self.is_bound else None, self.instance.path_steps)

    @property
    def main_fields(self):
        return [f for f in self.visible_fields() if f.name not in self.background_field_names]

    @property
    def background_fields(self):
        return [self[name] for name in self.background_field_names]

    def is_valid(self):
        steps_valid = not self.steps.is_bound or self.steps.is_valid()
        return super().is_valid() and steps_valid

    def clean_current_role(self):
        return _role_name(self.cleaned_data["current_role"])

    def save(self, commit=True):
        self.instance.path_steps = steps_from(self.steps, self.instance.path_steps)
        return super().save(commit)

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        taken = User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk)
        if email and taken.exists():
            raise forms.ValidationError("Another account already uses this e-mail.")
        return email

    def clean_display_name(self):
        return check_display_name(
            self.cleaned_data["display_name"], username=self.instance.username, user=self.instance
        )

    def clean(self):
        cleaned = super().clean()
        if "email" in cleaned and self._email_changes(cleaned["email"]):
            self._check_current_password(cleaned.get("current_password", ""))
        return cleaned

    def _email_changes(self, email: str) -> bool:
        return email != (self.instance.email or "").strip().lower()

    def _check_current_password(self, password: str) -> None:
        # The account's e-mail receives password resets: changing it takes the password,
        # so a session left open on someone else's screen cannot take the account over.
        if not password:
            self.add_error(
                "current_password", "Enter your current password to change your e-mail address."
            )
        elif not self.instance.check_password(password):
            self.add_error(
                "current_password",
                "That is not your current password, so your e-mail address was not changed.",
            )


def _role_name(text: str) -> str:
    if text and not clean_role_text(text):
        raise forms.ValidationError("Write the role in words, like “Data scientist”.")
    return text


class _AdminNameChecks:
    """The admin's user forms refuse the look-alike names sign-up and profiles refuse."""

    def clean_username(self):
        username = self.cleaned_data["username"]
        if self.instance.is_imported:
            return username
        return check_username(username, user=self.instance)

    def clean_display_name(self):
        display_name = self.cleaned_data["display_name"]
        if self.instance.is_imported:
            return display_name
        username = self.cleaned_data.get("username") or self.instance.username
        return check_display_name(display_name, username=username, user=self.instance)


class MemberCreationForm(_AdminNameChecks, AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User


class MemberChangeForm(_AdminNameChecks, UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's form, with the e-mail queued for the worker instead of sent in the request
    (the worker retries while the mail server is down)."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        from accounts.tasks import send_email

        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        send_email.enqueue(subject, body, to_email)
