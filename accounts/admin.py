from django.contrib import admin, messages
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
    list_filter = ("is_staff", "is_active", "is_imported", "imported_from", "suspended_at")
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
        ("Moderation", {"fields": ("email_verified_at", "suspended_at", "suspended_reason")}),
    )
    # Suspension goes through the domain (kb/moderation.py): the actions, or the profile page.
    readonly_fields = ("email_verified_at", "suspended_at", "suspended_reason")
    actions = ["suspend_members", "unsuspend_members"]

    @admin.action(description="Suspend selected members (and hide their content)")
    def suspend_members(self, request, queryset):
        members = [member for member in queryset if not member.is_staff]
        for member in members:
            member.suspend(
                by=request.user, reason="Suspended by the moderators.", hide_content=True
            )
        self.message_user(request, f"{len(members)} member(s) suspended.", messages.SUCCESS)

    @admin.action(description="Unsuspend selected members (and show what was hidden)")
    def unsuspend_members(self, request, queryset):
        members = list(queryset.filter(suspended_at__isnull=False))
        for member in members:
            member.unsuspend(by=request.user)
        self.message_user(request, f"{len(members)} member(s) unsuspended.", messages.SUCCESS)
