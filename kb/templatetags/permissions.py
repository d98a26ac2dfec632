"""``{% load permissions %}``: the rules of kb/permissions.py in templates.

``{% if user|may_edit:post %}`` reads "user may edit post".
"""

from django import template

from kb import permissions

register = template.Library()


@register.filter
def may_view(user, post) -> bool:
    return permissions.can_view(user, post)


@register.filter
def may_edit(user, post) -> bool:
    return permissions.can_edit(user, post)


@register.filter
def may_delete(user, post) -> bool:
    return permissions.can_delete(user, post)


@register.filter
def may_restore(user, post) -> bool:
    return permissions.can_restore(user, post)


@register.filter
def may_accept(user, question) -> bool:
    return permissions.can_accept(user, question)


@register.filter
def may_delete_comment(user, comment) -> bool:
    return permissions.can_delete_comment(user, comment)


@register.filter
def may_close(user, question) -> bool:
    return permissions.can_close(user, question)


@register.filter
def may_reopen(user, question) -> bool:
    return permissions.can_reopen(user, question)


@register.filter
def may_downvote(user) -> bool:
    return permissions.can_downvote(user)


@register.filter
def downvote_refusal(user) -> str:
    return permissions.downvote_refusal(user)


@register.filter
def may_see_author(user, post) -> bool:
    return permissions.can_see_author(user, post)


@register.filter
def may_flag(user, item) -> bool:
    return permissions.can_flag(user, item)


@register.filter
def may_participate(user) -> bool:
    return permissions.can_participate(user)


@register.filter
def may_add_outcome(user, question) -> bool:
    return permissions.can_add_outcome(user, question)


@register.filter
def may_edit_outcome(user, outcome) -> bool:
    return permissions.can_edit_outcome(user, outcome)


@register.filter
def may_set_outcome_consent(user, question) -> bool:
    return permissions.can_set_outcome_consent(user, question)


@register.filter
def may_reconfirm(user, post) -> bool:
    return permissions.can_reconfirm(user, post)


@register.filter
def may_mark_canonical(user, answer) -> bool:
    return permissions.can_mark_canonical(user, answer)


@register.filter
def may_manage_canonical(user) -> bool:
    return permissions.can_manage_canonical(user)
