"""Post.excerpt: list pages read the excerpt stored at save instead of building it per request."""

from django.db import migrations, models

from kb.excerpts import excerpt_of

BATCH_SIZE = 500


def fill_excerpts(apps, schema_editor):
    Post = apps.get_model("kb", "Post")
    rows = Post.objects.only("pk", "body_html").order_by("pk").iterator(chunk_size=BATCH_SIZE)
    batch = []
    for post in rows:
        post.excerpt = excerpt_of(post.body_html)
        batch.append(post)
        if len(batch) == BATCH_SIZE:
            Post.objects.bulk_update(batch, ["excerpt"])
            batch = []
    Post.objects.bulk_update(batch, ["excerpt"])


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0009_close"),
    ]

    operations = [
        migrations.AddField(
            model_name="post",
            name="excerpt",
            field=models.TextField(default="", editable=False),
        ),
        # Nothing to undo: going back drops the column.
        migrations.RunPython(fill_excerpts, migrations.RunPython.noop),
    ]
