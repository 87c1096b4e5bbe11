"""The desk pages in Chromium: a speaker's timeline chart, merging a duplicate through the
page, and the endorsement network with an edge's evidence."""

import datetime

import pytest

from annotations import services
from annotations.models import Endorsement, Entity, Quote
from tests.browser.test_editor import example_article

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

SCREENSHOTS = "/tmp"


def quote(article, needle, speaker, status="accepted"):
    start = article.body.index(needle)
    return Quote.objects.create(article=article, start=start, end=start + len(needle), exact=needle,
                                speaker=speaker, status=status)


def click_on_path(page, path):
    """Click a curve half way along it (its bounding box's centre is off the line)."""
    x, y = path.evaluate("""(p) => {
        const m = p.getPointAtLength(p.getTotalLength() / 2), s = p.getScreenCTM();
        return [m.x * s.a + m.y * s.c + s.e, m.x * s.b + m.y * s.d + s.f];
    }""")
    page.mouse.click(x, y)


@pytest.fixture
def desk():
    """The example article with its speakers and endorsements, a duplicate "Mujahid" with a quote
    in a later article, and a "Trump campaign" that opposes the Taliban."""
    article = example_article()
    later = services.article_create(body="Mujahid said the talks “went well” in Doha.", title="Talks",
                                    published_on=datetime.date(2021, 1, 15), suggest_after=False)
    mujahid = Entity.objects.create(name="Zabiullah Mujahid", description="Taliban spokesperson")
    dupe = Entity.objects.create(name="Mujahid", aliases=["Taliban's Mujahid"])
    taliban = Entity.objects.create(name="Taliban", kind="group")
    trump = Entity.objects.create(name="Donald Trump")
    campaign = Entity.objects.create(name="Trump campaign", kind="organisation")
    hope = quote(article, "they ‘hope’ the Republican leader wins the US Election 2020", mujahid)
    quote(article, "“very positive step”", mujahid)
    went = quote(later, "went well", dupe)
    reject = quote(article, "“We reject their support”", Entity.objects.create(name="Tim Murtaugh"))
    Endorsement.objects.create(article=article, endorser=taliban, target=trump, polarity="supports", evidence=hope)
    Endorsement.objects.create(article=article, endorser=campaign, target=taliban, polarity="opposes",
                               evidence=reject)
    return {"article": article, "later": later, "mujahid": mujahid, "dupe": dupe, "went": went,
            "taliban": taliban, "trump": trump, "campaign": campaign, "hope": hope}


def test_speaker_page_draws_the_timeline_and_merges_a_duplicate(login, live_server, desk):
    page = login()
    page.goto(f"{live_server.url}/speakers/{desk['mujahid'].pk}/")
    assert page.locator("#timeline g.bar").count() == 1
    assert page.locator("#timeline g.bar[data-month='2020-10']").get_attribute("data-count") == "2"
    box = page.locator("#timeline g.bar[data-month='2020-10'] rect").bounding_box()
    assert box["height"] > 50 and 10 < box["width"] < 100

    page.get_by_text("Merge duplicates into this speaker").click()
    page.get_by_label("Find speakers by name or alias").fill("mujahid")
    page.get_by_role("button", name="Find").click()
    page.get_by_label("Mujahid (person; aka Taliban's Mujahid)").check()
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.get_by_role("button", name="Merge selected into Zabiullah Mujahid").click()
    assert page.locator("#speaker-aliases").inner_text() == "Mujahid, Taliban's Mujahid"
    assert page.locator("#speaker-quotes li").count() == 3
    # October 2020 to January 2021: four months, the two empty ones drawn as gaps.
    assert page.locator("#timeline g.bar").count() == 4
    assert page.locator("#timeline g.bar[data-month='2021-01']").get_attribute("data-count") == "1"
    assert page.locator("#timeline g.bar[data-month='2020-11']").get_attribute("data-count") == "0"
    page.screenshot(path=f"{SCREENSHOTS}/desk-speaker.png", full_page=True)
    assert Quote.objects.get(pk=desk["went"].pk).speaker_id == desk["mujahid"].pk
    assert not Entity.objects.filter(pk=desk["dupe"].pk).exists()
    # A quote in the list opens the article at that quote.
    page.locator(f"#speaker-quotes li[data-id='{desk['hope'].pk}'] a").click()
    page.wait_for_function("() => window.newsdeskEditorReady === true")
    assert page.locator(f"#quote-list li[data-id='{desk['hope'].pk}'].current").count() == 1
    assert page.errors == []


def test_alias_form_saves_through_the_api(login, live_server, desk):
    page = login()
    page.goto(f"{live_server.url}/speakers/{desk['mujahid'].pk}/")
    page.get_by_text("Edit description and aliases").click()
    # "Mujahid" is another speaker's name: refused, with a pointer to merging instead.
    page.get_by_label("Aliases, one a line").fill("Mujahid")
    page.get_by_role("button", name="Save").click()
    page.locator("#desk-banner", has_text="merge the two").wait_for()
    page.get_by_label("Aliases, one a line").fill("Zabihullah Mujahid\nZ. Mujahid\nz. mujahid")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("#desk-banner.info")
    assert page.locator("#speaker-aliases").inner_text() == "Zabihullah Mujahid, Z. Mujahid"
    desk["mujahid"].refresh_from_db()
    assert desk["mujahid"].aliases == ["Zabihullah Mujahid", "Z. Mujahid"]
    # A second save uses the new ETag, not the page's first one.
    page.get_by_text("Edit description and aliases").click()
    page.get_by_label("Description").fill("spokesperson of the Taliban")
    page.get_by_role("button", name="Save").click()
    page.locator("#speaker-description", has_text="spokesperson of the Taliban").wait_for()
    assert page.locator("#desk-banner").inner_text() == "Saved."
    assert page.errors == []


def test_network_shows_the_example_endorsements_and_an_edges_evidence(login, live_server, desk):
    page = login("vera", "viewers")
    page.goto(f"{live_server.url}/endorsements/")
    edges = page.locator("#graph a.edge")
    assert edges.count() == 2
    supports = page.locator(f"#graph a.edge[data-endorser='{desk['taliban'].pk}'][data-polarity='supports']")
    opposes = page.locator(f"#graph a.edge[data-endorser='{desk['campaign'].pk}'][data-polarity='opposes']")
    assert supports.locator("path:not(.hit)").get_attribute("stroke") == "#059669"
    assert opposes.locator("path:not(.hit)").get_attribute("stroke") == "#dc2626"
    assert page.locator("#graph text.node-label", has_text="Trump campaign").count() == 1
    page.screenshot(path=f"{SCREENSHOTS}/desk-network.png", full_page=True)
    click_on_path(page, supports.locator("path.hit"))
    page.wait_for_selector("#edge-evidence li")
    assert "hope" in page.locator("#edge-evidence li").first.inner_text()
    assert page.locator("#evidence h2").inner_text().startswith("Evidence: Taliban supports Donald Trump")
    assert page.locator("#graph a.edge.current").count() == 1
    page.screenshot(path=f"{SCREENSHOTS}/desk-network-edge.png", full_page=True)
    assert page.errors == []


def test_quotes_page_searches_and_opens_the_article_at_a_hit(login, live_server, desk):
    page = login("vera", "viewers")
    page.goto(f"{live_server.url}/quotes/")
    page.get_by_label("Words").fill("hope")
    page.get_by_role("button", name="Search").click()
    hits = page.locator("#quote-hits li.hit")
    assert hits.count() == 1 and "Zabiullah Mujahid" in hits.first.inner_text()
    page.screenshot(path=f"{SCREENSHOTS}/desk-quotes.png", full_page=True)
    hits.first.locator("a.quote-text").click()
    page.wait_for_function("() => window.newsdeskEditorReady === true")
    assert page.locator(f"#quote-list li[data-id='{desk['hope'].pk}'].current").count() == 1
    assert page.errors == []


@pytest.mark.parametrize("path", ["/articles/", "/quotes/", "/speakers/", "/endorsements/", "speaker"])
def test_desk_pages_fit_a_phone(login, live_server, desk, path):
    page = login()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + (f"/speakers/{desk['mujahid'].pk}/" if path == "speaker" else path))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
