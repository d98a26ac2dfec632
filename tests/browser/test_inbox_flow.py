"""The inbox in a browser: A asks; B answers; A sees the bell, opens the inbox and follows
the link to the answer, and A's e-mail (locmem, sent by the task after the commit) links to
it too; C follows a tag and hears about the next question in it."""

from playwright.sync_api import expect

from kb.models import Post
from tests.browser.helpers import log_in
from tests.factories import make_question, make_user

TITLE = "Startup or Big Tech for a first job after a PhD?"


def test_answer_reaches_the_askers_inbox_and_a_tag_follower_hears_of_questions(
    page, browser, site, page_errors, live_server, settings, mailoutbox
):
    settings.SITE_URL = live_server.url  # e-mails link to the site under test
    make_user("asker"), make_user("answerer"), make_user("follower")
    make_question(title="An older question about PhDs", tags=["phd"])

    # A asks.
    log_in(page, site, "asker")
    page.goto(site("/questions/ask/"))
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Your question").fill("Two offers, one month to decide: what did you do?")
    page.get_by_label("Tags").fill("phd")
    page.get_by_role("button", name="Post your question").click()
    expect(page.locator("h1")).to_have_text(TITLE)
    expect(page.locator(".bell-count")).to_have_count(0)
    question = Post.objects.questions().get(title=TITLE)

    # C follows the tag on its page.
    c_page = browser.new_context().new_page()
    log_in(c_page, site, "follower")
    c_page.goto(site("/tags/phd/"))
    c_page.get_by_role("button", name="Follow phd").click()
    expect(c_page.get_by_role("button", name="Following phd")).to_be_visible()
    expect(c_page.locator(".tag-followers")).to_have_text("1 follower")

    # B answers.
    b_page = browser.new_context().new_page()
    log_in(b_page, site, "answerer")
    b_page.goto(site(question.get_absolute_url()))
    b_page.locator("#answer-form textarea").fill("I took the startup; ask me anything.")
    b_page.get_by_role("button", name="Post your answer").click()
    answer = Post.objects.answers().get(parent=question)
    expect(b_page.locator(f"#answer-{answer.pk}")).to_be_visible()

    # A's e-mail holds the link to the answer (the only e-mail: the tag follow is weekly).
    assert [mail.to for mail in mailoutbox] == [["asker@example.com"]]
    link = site(answer.get_absolute_url())
    assert link in mailoutbox[0].body

    # A sees the bell count, opens the inbox, and follows the link to the answer.
    page.goto(site("/"))
    expect(page.locator(".bell-count")).to_have_text("1")
    page.locator(".inbox-bell").click()
    expect(page.locator("h1")).to_have_text("Inbox")
    item = page.locator(".inbox-item").first
    expect(item).to_contain_text("answered your question")
    expect(page.locator(".bell-count")).to_have_count(0)  # read on open
    item.get_by_role("link").click()
    expect(page.locator(f"#answer-{answer.pk}")).to_contain_text("I took the startup")
    assert page.url.endswith(f"#answer-{answer.pk}")
    page.goto(link)  # the e-mail's link opens the answer too
    expect(page.locator(f"#answer-{answer.pk}")).to_contain_text("I took the startup")

    # A asks the next question in the tag: C hears about it.
    page.goto(site("/questions/ask/"))
    page.get_by_label("Title").fill("How do I explain a PhD gap in interviews?")
    page.get_by_label("Your question").fill("Recruiters keep asking what I did for five years.")
    page.get_by_label("Tags").fill("phd")
    page.get_by_role("button", name="Post your question").click()
    c_page.goto(site("/"))
    expect(c_page.locator(".bell-count")).to_have_text("1")
    c_page.locator(".inbox-bell").click()
    expect(c_page.locator(".inbox-item").first).to_contain_text("How do I explain a PhD gap")
    assert len(mailoutbox) == 1
    assert page_errors == []
