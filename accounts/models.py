from django.contrib.auth.models import AbstractUser
from django.db import models
from django.urls import reverse


class User(AbstractUser):
    display_name = models.CharField(
        max_length=60, blank=True, help_text="Shown on your posts instead of your username."
    )
    headline = models.CharField(
        max_length=120, blank=True, help_text="One line, e.g. “Perception engineer, ex-PhD”."
    )
    bio = models.TextField(max_length=3000, blank=True)
    # Denormalised: changed with F() by votes and accepts, never recounted per request.
    reputation = models.IntegerField(default=0)
    # Placeholder authors of imported threads: no password, cannot log in.
    is_imported = models.BooleanField(default=False)
    imported_from = models.CharField(max_length=100, blank=True)

    class Meta:
        indexes = [models.Index(fields=["-reputation"], name="user_reputation_idx")]

    def __str__(self):
        return self.username

    @property
    def name(self) -> str:
        return self.display_name or self.username

    def get_absolute_url(self):
        return reverse("accounts:profile", args=[self.username])
