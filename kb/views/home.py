from django.shortcuts import render

from kb.models import Post


def home(request):
    questions = Post.objects.questions().visible().with_author().order_by("-created_at")[:10]
    return render(request, "kb/home.html", {"newest_questions": questions})
