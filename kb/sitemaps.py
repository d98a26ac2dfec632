"""sitemap.xml: questions, experience posts, tag pages and the main static pages."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Count
from django.urls import reverse
from taggit.models import Tag

from kb.models import Post


class QuestionSitemap(Sitemap):
    changefreq = "weekly"
    limit = 5000

    def items(self):
        return (
            Post.objects.questions()
            .visible()
            .only("id", "kind", "slug", "title", "last_activity_at", "edited_at")
            .order_by("-created_at", "-id")
        )

    def lastmod(self, post):
        return post.last_activity_at


class ExperienceSitemap(QuestionSitemap):
    def items(self):
        return (
            Post.objects.experiences()
            .visible()
            .only("id", "kind", "slug", "title", "last_activity_at", "edited_at")
            .order_by("-created_at", "-id")
        )


class TagSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.6

    def items(self):
        return (
            Tag.objects.filter(post__is_deleted=False, post__held_reason="")
            .annotate(n=Count("post", distinct=True))
            .order_by("-n", "name")
        )

    def location(self, tag):
        return reverse("kb:tag-detail", args=[tag.slug])


class StaticSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.8

    def items(self):
        return ["kb:home", "kb:question-list", "kb:post-list", "kb:tag-list"]

    def location(self, name):
        return reverse(name)


SITEMAPS = {
    "static": StaticSitemap,
    "questions": QuestionSitemap,
    "experiences": ExperienceSitemap,
    "tags": TagSitemap,
}
