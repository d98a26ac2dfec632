"""``{% load moderation %}``: what the flag form and the header's review link need."""

from django import template

from kb.flag_models import FLAG_NOTE_MAX, Flag

register = template.Library()


@register.simple_tag
def flag_reasons():
    return Flag.Reason.choices


@register.simple_tag
def flag_note_max() -> int:
    return FLAG_NOTE_MAX
