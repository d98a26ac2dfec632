"""Role names as they read: ``{{ move.to_role|role }}`` -> "PhD student", mid-sentence;
``{{ move.from_role|role_start }}`` -> "Mechanical engineer", at the start of one."""

from django import template

from kb.paths import role_label, role_text

register = template.Library()


@register.filter
def role(value: str) -> str:
    return role_text(value)


@register.filter
def role_start(value: str) -> str:
    return role_label(value)
