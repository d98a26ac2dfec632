from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.forms import MemberChangeForm, MemberCreationForm
from accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = MemberChangeForm
    add_form = MemberCreationForm
    list_display = (
        "username",
        "display_name",
        "email",
        "reputation",
        "is_imported",
        "is_staff",
        "date_joined",
    )
    list_filter = ("is_staff", "is_active", "is_imported", "imported_from")
    search_fields = ("username", "display_name", "email")
    ordering = ("-date_joined",)
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("Profile", {"fields": ("display_name", "headline", "bio", "reputation")}),
        (
            "Background",
            {
                "fields": (
                    "current_role",
                    "career_field",
                    "years_experience",
                    "highest_degree",
                    "company_size",
                    "path_steps",
                )
            },
        ),
        ("Import", {"fields": ("is_imported", "imported_from")}),
    )
