"""Browser tests: Playwright driving Debian's Chromium against a live server."""

import pytest
from django.test import Client

from tests.conftest import chromium_path

LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="package")
def _orm_beside_playwright():
    """While Playwright's sync API runs its event loop in this thread, the tests' own ORM calls
    (and the database flushes between tests) are still plain synchronous ones. Allowed for these
    tests only, and only in this process; never in the site's."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="package")
def browser(_orm_beside_playwright):
    """One Chromium for the browser tests; stopped when they are done, so the event loop
    Playwright's sync API runs in this thread is gone before other tests use the ORM."""
    path = chromium_path()
    if not path:
        pytest.skip("Chromium not found (apt-get install chromium): browser tests skipped")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=path, args=LAUNCH_ARGS)
        yield instance
        instance.close()



@pytest.fixture
def login(browser, live_server, django_user_model):
    """login(username, group) -> a page of a browser context signed in as that user."""
    from django.contrib.auth.models import Group

    from annotations.roles import groups_ensure

    groups_ensure()  # transactional tests flush the groups the migration made
    contexts = []

    def make(username="eddie", group="editors"):
        user, _ = django_user_model.objects.get_or_create(username=username)
        user.groups.add(Group.objects.get(name=group))
        client = Client()  # one per user: logging in flushes the session it had
        client.force_login(user)
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                              "url": live_server.url}])
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda exc: page.errors.append(str(exc)))
        return page

    yield make
    for context in contexts:
        context.close()


def open_editor(page, live_server, article):
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    page.wait_for_function("() => window.newsdeskEditorReady === true")


def select_text(page, needle, occurrence=0):
    """Select `needle` in the article text as a user would (a DOM selection over the text)."""
    page.evaluate("""([needle, occurrence]) => {
        const body = document.getElementById('body');
        const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
        const nodes = []; let all = '';
        while (walker.nextNode()) { nodes.push([walker.currentNode, all.length]); all += walker.currentNode.data; }
        let at = -1; for (let i = 0; i <= occurrence; i++) at = all.indexOf(needle, at + 1);
        if (at < 0) throw new Error('not in the text: ' + needle);
        const locate = (pos) => { for (const [n, s] of nodes) if (pos <= s + n.data.length) return [n, pos - s]; };
        const [sn, so] = locate(at), [en, eo] = locate(at + needle.length);
        window.getSelection().setBaseAndExtent(sn, so, en, eo);
    }""", [needle, occurrence])


def start_quote(page, live_server, article, text, speaker=None):
    """Open the editor on `article`, select `text` and open the Quote form, typing `speaker`."""
    open_editor(page, live_server, article)
    select_text(page, text)
    page.get_by_role("button", name="Quote", exact=True).click()
    if speaker:
        page.get_by_label("Speaker", exact=True).fill(speaker)
