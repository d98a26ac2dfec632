"""Routes whose pages are being built in this session (removed before landing)."""

from django.http import Http404


def not_yet(request, *args, **kwargs):
    raise Http404("This page is being built.")
