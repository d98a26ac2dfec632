"""The e-mail settings form: how often each kind of notification is mailed, or none at all."""

from django import forms

from kb.email_models import EmailPreference, Frequency, Preferences
from kb.inbox_models import Notification

Kind = Notification.Kind

# The settings page's words for each kind, in the order it lists them.
KIND_LABELS = {
    Kind.ANSWER: "Answers to your questions",
    Kind.ACCEPTED: "Your answer accepted",
    Kind.MENTION: "Mentions of you (@username)",
    Kind.COMMENT: "Comments on your posts",
    Kind.FOLLOWED_ANSWER: "New answers on questions you follow",
    Kind.TAG_QUESTION: "New questions in tags you follow",
    Kind.OUTCOME_REMINDER: "Reminders to report how a decision went",
}


class EmailSettingsForm(forms.Form):
    no_email = forms.BooleanField(
        label="No e-mail at all",
        required=False,
        help_text="Stops every e-mail above (password resets still come); your inbox on the "
        "site still shows everything.",
    )

    def __init__(self, *args, preferences: Preferences, **kwargs):
        super().__init__(*args, **kwargs)
        kind_fields = {
            kind: forms.ChoiceField(
                label=label, choices=Frequency.choices, initial=preferences.kind_setting(kind)
            )
            for kind, label in KIND_LABELS.items()
        }
        self.fields = {**kind_fields, "no_email": self.fields["no_email"]}
        self.fields["no_email"].initial = preferences.no_email

    def save(self, user) -> None:
        frequencies = {kind: self.cleaned_data[kind] for kind in KIND_LABELS}
        EmailPreference.objects.set_all(user, frequencies, no_email=self.cleaned_data["no_email"])
