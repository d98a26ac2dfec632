"""RSS feeds: newest questions, one tag's questions and experience posts, experience posts."""

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from taggit.models import Tag

from kb.models import Post
from kb.views.browse import UnknownTag, resolve_tag_slugs

FEED_ITEMS = 30


class _PostFeed(Feed):
    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.body_html  # sanitised once on save

    def item_link(self, item):
        return item.get_absolute_url()

    def item_author_name(self, item):
        return item.shown_author_name

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.edited_at or item.created_at

    def item_categories(self, item):
        return [tag.name for tag in item.tags.all()]

    @staticmethod
    def _newest(queryset):
        return (
            queryset.visible()
            .with_author()
            .prefetch_related("tags")
            .order_by("-created_at", "-id")[:FEED_ITEMS]
        )


class NewestQuestionsFeed(_PostFeed):
    title = "CareerKB: newest questions"
    description = "The newest career questions asked on CareerKB."

    def link(self):
        return reverse("kb:question-list")

    def items(self):
        return self._newest(Post.objects.questions())


class ExperiencePostsFeed(_PostFeed):
    title = "CareerKB: experience posts"
    description = "Long-form stories of career moves, written by the people who made them."

    def link(self):
        return reverse("kb:post-list")

    def items(self):
        return self._newest(Post.objects.experiences())


class TagFeed(_PostFeed):
    def get_object(self, request, slug):
        try:
            tags, canonical = resolve_tag_slugs([slug.lower()])
        except UnknownTag:
            raise Http404(f"No tag {slug!r}") from None
        # A synonym's feed is its main tag's feed: feed readers rarely follow redirects well.
        return tags[0] if tags else get_object_or_404(Tag, slug=canonical[0])

    def title(self, tag):
        return f"CareerKB: {tag.name}"

    def description(self, tag):
        return f"New questions and experience posts tagged {tag.name} on CareerKB."

    def link(self, tag):
        return reverse("kb:tag-detail", args=[tag.slug])

    def items(self, tag):
        return self._newest(Post.objects.exclude(kind=Post.Kind.ANSWER).filter(tags=tag))
