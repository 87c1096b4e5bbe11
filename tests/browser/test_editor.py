import re
from pathlib import Path

import pytest
from django.conf import settings

from annotations import services
from annotations.models import Endorsement, Entity, Quote
from annotations.seeds import parse_seed
from tests.browser.conftest import open_editor, select_text, start_quote

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

EXAMPLE = Path(settings.BASE_DIR) / "seeds" / "000_ce8bf6a7a6e85c4c.txt"


def example_article():
    seed = parse_seed(EXAMPLE.read_text(encoding="utf-8"), source=EXAMPLE.name)
    return services.article_create(body=seed.body, title=seed.title, published_on=seed.published_on,
                                   suggest_after=False)


def orphaned_quote():
    """An article with an accepted quote, then a correction that took its words away."""
    article = services.article_create(body="Intro. Ann Lee said “the bridge opens in May” today.", suggest_after=False)
    start = article.body.index("“the bridge")
    text = "“the bridge opens in May”"
    quote = services.quote_create(article=article, user=None, start=start, end=start + len(text), text=text,
                                  status="accepted")
    services.article_update(article=article, body="Intro. Ann Lee said “the tunnel will close for good” today.")
    quote.refresh_from_db()
    return article, quote


def suggestion(article, needle, confidence=0.8):
    start = article.body.index(needle)
    return Quote.objects.create(article=article, start=start, end=start + len(needle), exact=needle,
                                status="suggested", origin="engine", engine_version="test", confidence=confidence)


def test_select_a_sentence_make_it_a_quote_and_find_it_after_reload(login, live_server):
    article = example_article()
    Entity.objects.create(name="Zabiullah Mujahid", aliases=["Mujahid"], description="Taliban spokesperson")
    sentence = ("Mujahid also added that the group approved of Trump campaign’s ‘America First’ slogan "
                "that US President himself has used in several public addresses.")
    page = login()
    start_quote(page, live_server, article, sentence, "Mujahid")  # an alias finds the speaker
    page.wait_for_selector("#speaker-options option[value='Zabiullah Mujahid']", state="attached")
    page.get_by_label("Speaker", exact=True).fill("Zabiullah Mujahid")
    page.get_by_label("Kind", exact=True).select_option("indirect")
    page.get_by_label("Cue").fill("added")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("#banner.info:has-text('Saved.')")

    quote = Quote.objects.get(article=article)
    start = article.body.index(sentence)
    assert (quote.start, quote.end, quote.exact) == (start, start + len(sentence), sentence)
    assert quote.speaker.name == "Zabiullah Mujahid" and quote.kind == "indirect" and quote.cue == "added"
    assert (quote.status, quote.origin, quote.created_by.username) == ("accepted", "editor", "eddie")

    page.reload()
    page.wait_for_function("() => window.newsdeskEditorReady === true")
    highlighted = page.locator("#body .hl.accepted").all_inner_texts()
    assert "".join(highlighted) == sentence
    assert "Zabiullah Mujahid" in page.locator("#quote-list").inner_text()
    assert page.errors == []


def test_new_speaker_made_inline(login, live_server):
    article = services.article_create(body="Intro. Nadia Farouk said the port would reopen.", suggest_after=False)
    page = login()
    start_quote(page, live_server, article, "the port would reopen", "Nadia Farouk")
    page.get_by_label("Description").fill("harbour master")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("#banner.info:has-text('Saved.')")
    entity = Entity.objects.get(name="Nadia Farouk")
    assert entity.description == "harbour master"
    assert Quote.objects.get().speaker == entity


def test_accept_and_reject_with_keys(login, live_server):
    article = example_article()
    first = suggestion(article, "we got worried")
    second = suggestion(article, "We reject their support")
    page = login()
    open_editor(page, live_server, article)
    page.locator("#body").focus()
    page.keyboard.press("j")
    page.keyboard.press("a")
    page.wait_for_selector(f"#quote-list li[data-id='{first.id}'].accepted")
    page.keyboard.press("j")
    page.keyboard.press("r")
    page.wait_for_selector(f"#quote-list li[data-id='{second.id}']", state="detached")  # rejected: hidden
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.reviewed_by.username) == ("accepted", "eddie")
    assert second.status == "rejected"
    assert page.locator("#body").inner_text() == article.body  # the keys typed nothing
    page.get_by_label("Show rejected").check()
    page.wait_for_selector(f"#quote-list li[data-id='{second.id}'].rejected")


def test_accept_all_above_the_threshold(login, live_server):
    article = example_article()
    high = suggestion(article, "we got worried", 0.9)
    low = suggestion(article, "We reject their support", 0.3)
    page = login()
    open_editor(page, live_server, article)
    page.get_by_label("Lowest confidence to accept").fill("0.5")
    page.get_by_role("button", name="Accept all (1)").click()
    page.wait_for_selector("#banner:has-text('Accepted 1')")
    assert Quote.objects.get(pk=high.pk).status == "accepted"
    assert Quote.objects.get(pk=low.pk).status == "suggested"
    # An emptied field is no threshold (not 0, which would accept everything): nothing to press.
    for typed in ("", "1.5"):
        page.get_by_label("Lowest confidence to accept").fill(typed)
        button = page.locator("#btn-accept-all")
        assert button.inner_text() == "Accept all" and button.is_disabled()
    assert Quote.objects.get(pk=low.pk).status == "suggested"


def test_a_stale_write_is_refused_with_what_changed(login, live_server):
    article = example_article()
    quote = suggestion(article, "we got worried")
    alice, bob = login("alice"), login("bob")
    open_editor(alice, live_server, article)
    open_editor(bob, live_server, article)
    # Alice opens the quote to edit it; meanwhile Bob accepts it.
    alice.locator(f"#quote-list li[data-id='{quote.id}'] button:has-text('Edit')").click()
    alice.get_by_label("Cue").fill("told CBS")
    bob.locator(f"#quote-list li[data-id='{quote.id}'] button:has-text('Accept')").click()
    bob.wait_for_selector(f"#quote-list li[data-id='{quote.id}'].accepted")
    alice.get_by_role("button", name="Save").click()
    message = alice.wait_for_selector("#banner.error").inner_text()
    assert re.search(r"bob changed this quote at \d\d:\d\d: status suggested -> accepted \(theirs\)\.", message)
    assert "still in the form" in message
    quote.refresh_from_db()
    assert (quote.status, quote.cue, quote.reviewed_by.username) == ("accepted", "", "bob")
    # Her edit is not lost: saving again applies it on top of Bob's change.
    assert alice.get_by_label("Cue").input_value() == "told CBS"
    alice.get_by_role("button", name="Save").click()
    alice.wait_for_selector("#banner.info:has-text('Saved.')")
    quote.refresh_from_db()
    assert (quote.status, quote.cue) == ("accepted", "told CBS")


def test_unsaved_quote_survives_a_reload(login, live_server):
    article = services.article_create(body="Intro. Ann Lee said the bridge reopens in May.", suggest_after=False)
    page = login()
    start_quote(page, live_server, article, "the bridge reopens in May", "Ann Lee")
    assert page.locator("#new-speaker").is_visible()
    Entity.objects.create(name="Ann Lee")  # made meanwhile (by a colleague, an import)
    page.reload()
    page.wait_for_function("() => window.newsdeskEditorReady === true")
    assert page.get_by_label("Speaker", exact=True).input_value() == "Ann Lee"
    assert "Restored the quote" in page.locator("#banner").inner_text()
    assert page.locator("#quote-excerpt").inner_text() == "the bridge reopens in May"
    page.wait_for_selector("#new-speaker", state="hidden")  # a known speaker is not called new


def test_a_form_restored_after_a_reload_does_not_overwrite_what_another_editor_saved_meanwhile(login, live_server):
    from django.contrib.auth import get_user_model

    article = example_article()
    quote = suggestion(article, "we got worried")
    bob = get_user_model().objects.create(username="bob")
    page = login("alice")
    open_editor(page, live_server, article)
    page.locator(f"#quote-list li[data-id='{quote.id}'] button:has-text('Edit')").click()
    page.get_by_label("Kind", exact=True).select_option("indirect")
    services.quote_update(quote=Quote.objects.get(pk=quote.pk), user=bob, cue="told CBS")
    page.reload()
    page.wait_for_function("() => window.newsdeskEditorReady === true")
    assert "Restored the quote" in page.locator("#banner").inner_text()
    page.get_by_role("button", name="Save").click()
    message = page.wait_for_selector("#banner.error").inner_text()
    assert "bob saved this quote" in message and "still in the form" in message, message
    quote.refresh_from_db()
    assert (quote.kind, quote.cue) == ("direct", "told CBS")  # Bob's change stands until Alice chooses
    page.get_by_role("button", name="Overwrite with mine").click()
    page.wait_for_selector("#banner.info:has-text('Saved.')")
    quote.refresh_from_db()
    assert quote.kind == "indirect"


def test_offsets_with_emoji_and_cjk_before_the_selection(login, live_server):
    body = "😀👍🏽 中文新闻：𠜎𠜱 报道。\n\nAnn Lee said the plan works 🚀 well."
    article = services.article_create(body=body, suggest_after=False)
    page = login()
    start_quote(page, live_server, article, "the plan works 🚀 well")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("#banner.info:has-text('Saved.')")
    quote = Quote.objects.get()
    assert quote.start == body.index("the plan works")  # Python code points, not UTF-16 units
    assert quote.exact == "the plan works 🚀 well" == body[quote.start:quote.end]


def test_markup_in_text_and_names_stays_inert(login, live_server):
    body = ('<script>window.pwned = 1</script> Intro <img src=x onerror="window.pwned = 2">. '
            'Mallory said the "<b>plan</b>" is fine.')
    article = services.article_create(body=body, title="<img src=x onerror='window.pwned=4'>", suggest_after=False)
    evil = Entity.objects.create(name='<img src=x onerror="window.pwned = 3">', description="<script>x</script>")
    start = body.index("the ")
    Quote.objects.create(article=article, start=start, end=len(body) - 1, exact=body[start:-1], speaker=evil,
                         status="suggested", origin="engine", engine_version="t", confidence=0.5)
    page = login()
    page.goto(f"{live_server.url}/articles/")
    assert "<img src=x onerror='window.pwned=4'>" in page.locator("table.list").inner_text()
    open_editor(page, live_server, article)
    assert page.evaluate("window.pwned") is None
    assert page.locator("#body").inner_text() == body
    assert '<img src=x onerror="window.pwned = 3">' in page.locator("#quote-list").inner_text()
    assert page.locator("#body img, #quote-list img, #body script").count() == 0
    assert page.errors == []


def test_viewers_read_but_cannot_annotate(login, live_server):
    article = example_article()
    hidden = suggestion(article, "we got worried")
    shown = suggestion(article, "We reject their support")
    shown.status = "accepted"
    shown.save()
    party = Entity.objects.create(name="Trump campaign")
    Endorsement.objects.create(article=article, endorser=party, target_text="the Taliban", polarity="opposes",
                               status="accepted", origin="editor")
    Endorsement.objects.create(article=article, endorser=party, target_text="America First", polarity="supports",
                               status="suggested", origin="engine", engine_version="test", confidence=0.9)
    page = login("vic", "viewers")
    open_editor(page, live_server, article)
    # Each check first finds what it looks at, so a selector that matches nothing cannot pass.
    for control in ("#btn-quote", "#btn-endorse", "#btn-accept-all", "#btn-done", "#btn-reopen", "#btn-undo",
                    "#threshold-label", "#show-rejected-label", "#key-hints"):
        assert page.locator(control).count() == 1 and page.locator(control).is_hidden(), control
    assert page.locator("#viewer-hints").is_visible()
    assert "accept" not in page.locator(".toolbar").inner_text().lower()
    # Viewers see the accepted quote, highlighted and listed, and nothing of the suggestion.
    assert page.locator("#body .hl.accepted").count() > 0
    assert "".join(page.locator("#body .hl.accepted").all_inner_texts()) == "We reject their support"
    assert page.locator("#body .hl").count() == page.locator("#body .hl.accepted").count()
    assert page.locator("#quote-list li").evaluate_all("items => items.map(li => li.dataset.id)") == [str(shown.id)]
    assert page.locator(f"#quote-list li[data-id='{hidden.id}']").count() == 0
    assert page.locator("#quote-list li button").count() == 0  # no Accept, Reject or Edit
    endorsements = page.locator("#endorsement-list li").all_inner_texts()
    assert len(endorsements) == 1 and "Trump campaign opposes the Taliban" in endorsements[0]
    # Keys that would change something do nothing for a viewer.
    page.locator("#body").focus()
    page.keyboard.press("j")
    page.keyboard.press("a")
    assert page.locator("#quote-form").is_hidden()
    assert Quote.objects.get(pk=hidden.pk).status == "suggested"
    assert page.errors == []


def test_a_reworded_endorsement_can_be_shown_in_the_list(login, live_server):
    article = example_article()
    party = Entity.objects.create(name="Trump campaign")
    words = "that it ‘rejects’ the support offered by the extremist group"
    start = article.body.index(words)
    endorsement = Endorsement.objects.create(
        article=article, endorser=party, target_text="the Taliban", polarity="opposes", status="accepted",
        origin="editor", start=start, end=start + len(words), exact=words, reworded_from="that it rejects the support")
    page = login()
    open_editor(page, live_server, article)
    assert "Endorsement · Trump campaign opposes the Taliban" in page.locator("#reworded-list").inner_text()
    page.locator("#reworded-list").get_by_role("button", name="Show").click()
    page.wait_for_selector(f"#endorsement-list li.current[data-id='{endorsement.id}']")
    assert page.locator("#endorsement-list li.current").count() == 1
    assert page.errors == []


def test_viewers_are_not_told_to_reattach_what_they_cannot(login, live_server):
    article, quote = orphaned_quote()
    page = login("vic", "viewers")
    open_editor(page, live_server, article)
    orphans = page.locator("#orphans").inner_text()
    assert quote.exact in orphans  # its words, as it last had them
    assert "1 annotation lost its place" in orphans and "an editor re-attaches or deletes them" in orphans
    assert "select the words" not in orphans and page.locator("#orphan-list button").count() == 0
    assert page.errors == []


def test_keyboard_selection_makes_a_quote(login, live_server):
    body = "Intro line. Mujahid told CBS that the group was hopeful."
    article = services.article_create(body=body, suggest_after=False)
    page = login()
    open_editor(page, live_server, article)
    # Put the caret before "that", then extend the selection with Shift+Right as an editor would.
    page.evaluate("""() => { const node = document.getElementById('body').firstChild;
        const at = node.data.indexOf('that'); const sel = window.getSelection();
        document.getElementById('body').focus(); sel.collapse(node, at); }""")
    for _ in range(len("that the group was hopeful")):
        page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("q")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("#banner.info:has-text('Saved.')")
    assert Quote.objects.get().exact == "that the group was hopeful"
    assert page.locator("#body").inner_text() == body


def test_endorsement_from_the_current_quote_with_the_e_key(login, live_server):
    article = example_article()
    campaign = Entity.objects.create(name="Trump campaign", kind="organisation")
    taliban = Entity.objects.create(name="Taliban", kind="group")
    sentence = "We reject their support"
    start = article.body.index(sentence)
    quote = Quote.objects.create(article=article, start=start, end=start + len(sentence), exact=sentence,
                                 speaker=campaign, status="accepted", kind="direct")
    page = login()
    open_editor(page, live_server, article)
    page.locator("#body").focus()
    page.keyboard.press("j")  # the quote is the current one
    page.keyboard.press("e")
    assert page.locator("#endorse-form").is_visible()
    assert page.locator("#endorse-excerpt").inner_text() == sentence
    assert page.get_by_label("Endorser").input_value() == "Trump campaign"  # the quote's speaker
    page.get_by_label("Polarity").select_option("opposes")
    page.get_by_label("Target (speaker or free text)").fill("Taliban")
    page.wait_for_selector("#speaker-options option[value='Taliban']", state="attached")
    page.locator("#endorse-form button[type='submit']").click()
    page.wait_for_selector("#banner.info:has-text('Endorsement saved.')")

    endorsement = Endorsement.objects.get()
    assert (endorsement.endorser, endorsement.target, endorsement.polarity) == (campaign, taliban, "opposes")
    assert (endorsement.evidence_id, endorsement.start, endorsement.end) == (quote.id, quote.start, quote.end)
    assert endorsement.created_by.username == "eddie"
    assert "Trump campaign opposes Taliban" in page.locator("#endorsement-list").inner_text()
    assert page.errors == []


def test_orphans_are_listed_and_reattached_by_selection(login, live_server):
    article, quote = orphaned_quote()
    assert quote.anchor == "orphaned"
    page = login()
    # A link to it (from the quote search, a speaker's page) shows it in the list above the text.
    page.goto(f"{live_server.url}/articles/{article.pk}/#quote-{quote.pk}")
    page.wait_for_function("() => window.newsdeskEditorReady === true")
    assert "1 annotation lost its place" in page.locator("#orphans").inner_text()
    assert "the bridge opens in May" in page.locator(f"#orphan-list li.current[data-id='{quote.pk}']").inner_text()
    assert page.locator("#body .hl").count() == 0  # never highlighted on other words

    select_text(page, "“the tunnel will close for good”")
    page.get_by_role("button", name="Re-attach to selection").click()
    page.wait_for_selector("#banner.info:has-text('Re-attached.')")
    quote.refresh_from_db()
    assert (quote.anchor, quote.exact) == ("anchored", "“the tunnel will close for good”")
    page.reload()
    page.wait_for_function("() => window.newsdeskEditorReady === true")
    assert page.locator("#orphans").is_hidden()
    assert "".join(page.locator("#body .hl.accepted").all_inner_texts()) == "“the tunnel will close for good”"
    assert page.errors == []


def test_an_accepted_quote_whose_words_a_correction_changed_is_shown_for_a_check(login, live_server):
    article = services.article_create(body="Intro. Ann Lee said “we will raise taxes next year” today. "
                                           "Bo said “the bridge opens in May”.", suggest_after=False)
    text, bridge = "“we will raise taxes next year”", "“the bridge opens in May”"
    quote, _ = (services.quote_create(article=article, user=None, start=article.body.index(words),
                                      end=article.body.index(words) + len(words), text=words)
                for words in (text, bridge))  # the second is orphaned by the correction
    services.article_update(article=article, body="Intro. Ann Lee said “we will not raise taxes next year” today. "
                                                  "Bo said “the tunnel will close for good”.")
    quote.refresh_from_db()
    assert (quote.anchor, quote.status, quote.reworded_from) == ("anchored", "accepted", text)
    page = login()
    open_editor(page, live_server, article)
    assert "1 decision stands on words an edit of the text changed" in page.locator("#reworded").inner_text()
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Mark done").click()
    page.wait_for_function("() => true")
    assert asked == ["1 annotation has lost its place; 1 decision stands on words an edit changed. "
                     "Mark the article done anyway?"]
    assert page.locator("#reworded-list del").inner_text() == text
    assert page.locator("#reworded-list ins").inner_text() == "“we will not raise taxes next year”"

    page.locator("#reworded").get_by_role("button", name="Reject").click()
    page.wait_for_selector("#reworded", state="hidden")
    quote.refresh_from_db()
    assert (quote.status, quote.reworded_from, quote.reviewed_by.username) == ("rejected", "", "eddie")
    page.reload()
    page.wait_for_function("() => window.newsdeskEditorReady === true")
    assert page.locator("#reworded").is_hidden()
    assert page.errors == []


def test_a_write_after_the_text_changed_offers_a_reload_and_keeps_the_form(login, live_server):
    article = services.article_create(body="Intro. Ann Lee said the bridge reopens in May.", suggest_after=False)
    page = login()
    start_quote(page, live_server, article, "the bridge reopens in May", "Ann Lee")
    page.get_by_label("Cue").fill("said")
    # Someone corrects the text while the form is open.
    services.article_update(article=article, body="Update: Ann Lee said the bridge reopens in June.")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("#banner.error:has-text('article text changed')")
    assert not Quote.objects.filter(article=article).exists()
    page.locator("#banner").get_by_role("button", name="Reload").click()
    page.wait_for_function("() => window.newsdeskEditorReady === true")
    assert page.get_by_label("Cue").input_value() == "said"  # what was typed came back
    assert "select its words again" in page.locator("#banner").inner_text()
    select_text(page, "the bridge reopens in June")
    page.get_by_role("button", name="Use selection as span").click()
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("#banner.info:has-text('Saved.')")
    assert Quote.objects.get(article=article).exact == "the bridge reopens in June"
    assert page.errors == []


def test_edit_an_endorsement_and_be_warned_of_a_duplicate(login, live_server):
    article = example_article()
    campaign = Entity.objects.create(name="Trump campaign", kind="organisation")
    taliban = Entity.objects.create(name="Taliban", kind="group")
    trump = Entity.objects.create(name="Donald Trump")
    hope = "they ‘hope’ the Republican leader wins"
    reject = "We reject their support"
    quotes = {}
    for text, speaker in ((hope, taliban), (reject, campaign)):
        start = article.body.index(text)
        quotes[text] = Quote.objects.create(article=article, start=start, end=start + len(text), exact=text,
                                            speaker=speaker, status="accepted")
    backing = Endorsement.objects.create(article=article, endorser=taliban, target=trump, polarity="supports",
                                         evidence=quotes[hope], start=quotes[hope].start, end=quotes[hope].end,
                                         exact=hope)
    wrong = Endorsement.objects.create(article=article, endorser=campaign, target=trump, polarity="supports",
                                       evidence=quotes[reject], start=quotes[reject].start, end=quotes[reject].end,
                                       exact=reject, status="suggested", origin="engine", engine_version="t")
    Endorsement.objects.create(article=article, endorser=campaign, target_text="the group", polarity="opposes",
                               status="rejected")
    page = login()
    open_editor(page, live_server, article)
    page.locator(f"#endorsement-list li[data-id='{wrong.id}'] button", has_text="Edit").click()
    assert page.locator("#endorse-form-title").inner_text() == "Edit endorsement"
    assert page.get_by_label("Endorser").input_value() == "Trump campaign"
    assert page.get_by_label("Target (speaker or free text)").input_value() == "Donald Trump"
    assert page.locator("#evidence").input_value() == str(quotes[reject].id)
    # Responds to: the other live endorsement, once; not itself, not the rejected one.
    options = page.locator("#responds-to option").all_inner_texts()
    assert options == ["—", "Taliban supports Donald Trump"]

    # Made the same as the Taliban's: the editor is asked first, and can say no.
    page.get_by_label("Endorser").fill("Taliban")
    dialogs = []
    page.once("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.locator("#endorse-form button[type='submit']").click()
    page.wait_for_timeout(300)
    assert dialogs and "already has" in dialogs[0]
    assert Endorsement.objects.get(pk=wrong.pk).endorser == campaign

    page.get_by_label("Endorser").fill("Trump campaign")
    page.get_by_label("Polarity").select_option("opposes")
    page.get_by_label("Target (speaker or free text)").fill("Taliban")
    page.locator("#responds-to").select_option(str(backing.id))
    page.locator("#endorse-form button[type='submit']").click()
    page.wait_for_selector("#banner.info:has-text('Endorsement saved.')")
    wrong.refresh_from_db()
    assert (wrong.endorser, wrong.target, wrong.polarity, wrong.responds_to_id, wrong.evidence_id) == (
        campaign, taliban, "opposes", backing.id, quotes[reject].id)
    assert wrong.status == "accepted" and wrong.reviewed_by.username == "eddie"
    item = page.locator(f"#endorsement-list li[data-id='{wrong.id}']").inner_text()
    assert "Trump campaign opposes Taliban" in item and "in response to: Taliban supports Donald Trump" in item
    assert page.errors == []


def test_review_moves_on_and_undo_puts_back_what_was_there(login, live_server):
    article = example_article()
    first = suggestion(article, "we got worried")
    second = suggestion(article, "We reject their support")
    page = login()
    open_editor(page, live_server, article)
    page.locator("#body").focus()
    page.keyboard.press("j")
    page.keyboard.press("a")  # accepts the first and moves to the second
    page.wait_for_selector(f"#quote-list li[data-id='{first.id}'].accepted")
    page.wait_for_selector(f"#quote-list li[data-id='{second.id}'].current")
    page.keyboard.press("r")
    page.wait_for_selector(f"#quote-list li[data-id='{second.id}']", state="detached")
    assert Quote.objects.get(pk=second.pk).status == "rejected"
    page.keyboard.press("Control+z")  # undoes the reject, through the API
    page.wait_for_selector(f"#quote-list li[data-id='{second.id}'].suggested.current")
    assert Quote.objects.get(pk=second.pk).status == "suggested"
    # The engine's suggestion again, not one the editor made.
    assert "suggested by test" in page.locator(f"#quote-list li[data-id='{second.id}']").inner_text()
    page.keyboard.press("u")  # then the accept
    page.wait_for_selector(f"#quote-list li[data-id='{first.id}'].suggested")
    assert Quote.objects.get(pk=first.pk).status == "suggested"
    page.keyboard.press("u")
    page.wait_for_selector("#banner.info:has-text('Nothing to undo')")
    assert page.locator("#body").inner_text() == article.body  # the keys typed nothing
    assert page.errors == []


def test_a_double_press_reviews_once_and_is_not_called_someone_elses_change(login, live_server):
    """A second press while the first accept is on its way (a double press, a held key) would
    carry the ETag the first one changes: it is left out, not sent to come back as a conflict."""
    import time

    article = example_article()
    first = suggestion(article, "we got worried")
    second = suggestion(article, "We reject their support")
    page = login()
    open_editor(page, live_server, article)
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)

    def slow(route):  # the accept takes a while, so the second press surely comes during it
        time.sleep(0.4)
        route.continue_()

    page.route("**/accept/", slow)
    page.locator("#body").focus()
    page.keyboard.press("j")
    page.keyboard.press("a")
    page.keyboard.press("a")
    page.wait_for_selector(f"#quote-list li[data-id='{first.id}'].accepted")
    page.wait_for_selector(f"#quote-list li[data-id='{second.id}'].current")
    page.wait_for_timeout(300)
    assert [url for url in posts if "/accept/" in url] == [f"{live_server.url}/api/v1/quotes/{first.id}/accept/"]
    assert "Not saved" not in page.locator("#banner").inner_text()
    assert Quote.objects.get(pk=second.pk).status == "suggested"
    assert page.errors == []


def test_undoing_accept_all_keeps_what_another_editor_changed_and_undoes_the_rest(login, live_server):
    from django.contrib.auth import get_user_model

    article = example_article()
    quotes = [suggestion(article, needle, 0.9) for needle in ("we got worried", "We reject their support",
                                                               "America First")]
    bob = get_user_model().objects.create(username="bob")
    page = login()
    open_editor(page, live_server, article)
    page.get_by_label("Lowest confidence to accept").fill("0.5")
    page.get_by_role("button", name="Accept all (3)").click()
    page.wait_for_selector("#banner:has-text('Accepted 3')")
    services.quote_review(quote=Quote.objects.get(pk=quotes[0].pk), user=bob, status="rejected")
    page.get_by_role("button", name="Undo").click()
    message = page.wait_for_selector("#banner:has-text('Undone: 2 of 3')").inner_text()
    assert "bob changed this quote" in message and "status accepted -> rejected (theirs)" in message, message
    assert [Quote.objects.get(pk=q.pk).status for q in quotes] == ["rejected", "suggested", "suggested"]
    assert page.errors == []


def test_accept_all_is_undone_as_one_step(login, live_server):
    article = example_article()
    high = [suggestion(article, "we got worried", 0.9), suggestion(article, "We reject their support", 0.8)]
    low = suggestion(article, "America First", 0.2)
    page = login()
    open_editor(page, live_server, article)
    page.get_by_label("Lowest confidence to accept").fill("0.5")
    page.get_by_role("button", name="Accept all (2)").click()
    page.wait_for_selector("#banner:has-text('Accepted 2')")
    assert {q.status for q in Quote.objects.filter(pk__in=[q.pk for q in high])} == {"accepted"}
    page.get_by_role("button", name="Undo").click()
    page.wait_for_selector("#banner:has-text('2 suggestion(s) back to suggested')")
    assert {q.status for q in Quote.objects.all()} == {"suggested"}
    assert Quote.objects.get(pk=low.pk).reviewed_by is None
    assert page.locator("#quote-list li.accepted").count() == 0


def test_mark_done_asks_first_then_offers_the_next_article_and_reopen(login, live_server):
    article = example_article()
    suggestion(article, "we got worried")
    later = services.article_create(body="Another day, another quote.", title="Port reopens", suggest_after=False)
    page = login()
    open_editor(page, live_server, article)
    asked = []

    def answer(dialog):
        asked.append(dialog.message)
        dialog.dismiss() if len(asked) == 1 else dialog.accept()

    page.on("dialog", answer)
    page.get_by_role("button", name="Mark done").click()  # dismissed: nothing changes
    page.wait_for_function("() => true")
    assert asked == ["1 suggestion is still open. Mark the article done anyway?"]
    article.refresh_from_db()
    assert article.review == "needs_review"
    page.get_by_role("button", name="Mark done").click()
    link = page.wait_for_selector("#next-article:has-text('Port reopens')")
    assert link.get_attribute("href") == f"/articles/{later.pk}/"
    article.refresh_from_db()
    assert (article.review, article.done_by.username) == ("done", "eddie")
    assert page.locator("#btn-done").is_hidden()
    # The state reads as the page shows it after a reload.
    shown = page.locator(".article-head .meta").inner_text()
    page.reload()
    page.wait_for_function("() => window.newsdeskEditorReady === true")
    assert page.locator(".article-head .meta").inner_text() == shown
    assert f"done (done by eddie, {article.done_at:%Y-%m-%d %H:%M})" in shown
    page.get_by_role("button", name="Reopen").click()
    page.wait_for_selector("#review-state:has-text('needs review')")
    article.refresh_from_db()
    assert (article.review, article.done_by) == ("needs_review", None)
    assert page.locator("#next-article").is_hidden() and page.locator("#btn-done").is_visible()
    # Undo of a mark-done reopens the article too.
    page.get_by_role("button", name="Mark done").click()
    page.wait_for_selector("#btn-reopen:visible")
    page.locator("#body").focus()
    page.keyboard.press("u")
    page.wait_for_selector("#banner:has-text('needs review again')")
    article.refresh_from_db()
    assert article.review == "needs_review"
    # A done article opens with Reopen and the next one to review.
    services.article_mark_done(article=article, user=None)
    open_editor(page, live_server, article)
    page.wait_for_selector("#next-article:has-text('Port reopens')")
    assert page.locator("#btn-reopen").is_visible() and page.locator("#btn-done").is_hidden()
    assert page.errors == []


def test_question_mark_opens_the_shortcuts_and_escape_closes_them(login, live_server):
    article = example_article()
    quote = suggestion(article, "we got worried")
    page = login()
    open_editor(page, live_server, article)
    page.locator("#body").focus()
    page.keyboard.press("?")
    overlay = page.get_by_role("dialog", name="Keyboard shortcuts")
    overlay.wait_for()
    assert "undo the last accept" in overlay.inner_text()
    page.screenshot(path="/tmp/review-overlay.png")
    page.keyboard.press("a")  # no key acts behind the overlay
    for key in ("Tab", "Tab", "Shift+Tab"):  # nor does the focus go behind it
        page.keyboard.press(key)
        assert page.evaluate("document.activeElement.id") == "btn-shortcuts-close"
    page.keyboard.press("Escape")
    overlay.wait_for(state="hidden")
    assert Quote.objects.get(pk=quote.pk).status == "suggested"
    page.keyboard.press("?")
    overlay.wait_for()
    page.get_by_role("button", name="Close").click()
    overlay.wait_for(state="hidden")
    assert page.errors == []


def test_a_bare_mention_shows_as_the_speaker_and_stays_one(login, live_server):
    article = example_article()
    quote = suggestion(article, "we got worried")
    mention = "another senior leader of the Taliban"
    quote.speaker_start = article.body.index(mention)
    quote.speaker_end = quote.speaker_start + len(mention)
    quote.save()
    page = login()
    open_editor(page, live_server, article)
    page.locator(f"#quote-list li[data-id='{quote.id}'] button:has-text('Edit')").click()
    assert page.get_by_label("Speaker", exact=True).input_value() == mention
    assert page.locator("#new-speaker").is_hidden()  # not offered as a new speaker
    page.get_by_label("Cue").fill("told CBS")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("#banner.info:has-text('Saved.')")
    quote.refresh_from_db()
    assert (quote.cue, quote.speaker, quote.speaker_start) == ("told CBS", None, article.body.index(mention))
    assert not Entity.objects.exists()


def test_a_pasted_exact_name_and_enter_picks_that_speaker(login, live_server):
    article = example_article()
    exact = Entity.objects.create(name="Trump", kind="person")
    for i in range(25):  # more names containing it than one page of suggestions holds
        Entity.objects.create(name=f"Trump aide {i:02}")
    page = login()
    start_quote(page, live_server, article, "we got worried")
    field = page.get_by_label("Speaker", exact=True)
    field.fill("trump")  # as pasted, in another case
    field.press("Enter")
    page.wait_for_selector("#banner.info:has-text('Saved.')")
    assert Quote.objects.get().speaker == exact
    assert Entity.objects.count() == 26
    assert page.errors == []


def test_a_banner_goes_away_with_its_form(login, live_server):
    article = example_article()
    quote = suggestion(article, "we got worried")
    page = login()
    open_editor(page, live_server, article)
    page.locator(f"#quote-list li[data-id='{quote.id}'] button:has-text('Edit')").click()
    page.get_by_role("button", name="Use selection as span").click()  # nothing selected
    page.wait_for_selector("#banner.error:has-text('Select the new boundaries')")
    page.get_by_role("button", name="Cancel").click()
    page.wait_for_selector("#banner", state="hidden")
    page.locator(f"#quote-list li[data-id='{quote.id}'] button:has-text('Endorsement')").click()
    page.locator("#endorse-form button[type=submit]").click()  # no endorser named
    page.wait_for_selector("#banner.error:has-text('Name the endorser')")
    page.keyboard.press("Escape")
    page.wait_for_selector("#banner", state="hidden")


def test_a_stale_write_names_only_their_changes_and_offers_keep_or_overwrite(login, live_server):
    from django.contrib.auth import get_user_model

    article = example_article()
    speaker = Entity.objects.create(name="Zabiullah Mujahid", description="Taliban spokesperson")
    quote = suggestion(article, "we got worried")
    quote.speaker, quote.status = speaker, "accepted"
    quote.save()
    bob = get_user_model().objects.create(username="bob")
    page = login("alice")
    open_editor(page, live_server, article)
    edit = page.locator(f"#quote-list li[data-id='{quote.id}'] button:has-text('Edit')")
    edit.click()
    page.get_by_label("Cue").fill("told CBS")
    services.quote_update(quote=Quote.objects.get(pk=quote.pk), user=bob, kind="mixed")
    page.get_by_role("button", name="Save").click()
    message = page.wait_for_selector("#banner.error").inner_text()
    assert re.search(r"bob changed this quote at \d\d:\d\d: kind direct -> mixed \(theirs\)\.", message), message
    assert "speaker" not in message and "cue" not in message  # the same speaker is no change
    page.get_by_role("button", name="Overwrite with mine").click()
    page.wait_for_selector("#banner.info:has-text('Saved.')")
    quote.refresh_from_db()
    assert (quote.kind, quote.cue, quote.speaker_id) == ("direct", "told CBS", speaker.id)

    # Again, and this time Alice keeps Bob's version: nothing of hers is sent.
    edit.click()
    page.get_by_label("Cue").fill("said")
    services.quote_update(quote=Quote.objects.get(pk=quote.pk), user=bob, cue="told Fox")
    page.get_by_role("button", name="Save").click()
    message = page.wait_for_selector("#banner.error").inner_text()
    assert "cue told CBS -> told Fox (theirs)" in message and "kind" not in message
    page.get_by_role("button", name="Keep theirs").click()
    page.wait_for_selector("#quote-form", state="hidden")
    quote.refresh_from_db()
    assert (quote.kind, quote.cue) == ("direct", "told Fox")
    assert "told Fox" in page.locator(f"#quote-list li[data-id='{quote.id}']").inner_text()
    assert page.errors == []


def test_at_390_px_the_panel_is_below_the_text_and_nothing_scrolls_sideways(login, live_server):
    article = example_article()
    suggestion(article, "we got worried")
    page = login()
    page.set_viewport_size({"width": 390, "height": 844})
    open_editor(page, live_server, article)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    text, panel = page.locator("#body").bounding_box(), page.locator(".panel").bounding_box()
    assert panel["y"] >= text["y"] + text["height"] and panel["x"] + panel["width"] <= 390
    page.locator("#body").focus()
    page.keyboard.press("?")
    page.get_by_role("dialog", name="Keyboard shortcuts").wait_for()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390


def test_a_title_of_one_long_word_wraps_instead_of_widening_the_pages(login, live_server):
    article = example_article()
    article.title = "Unbreakable" * 45
    article.save(update_fields=["title"])
    page = login()
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(f"{live_server.url}/articles/")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 1400
    open_editor(page, live_server, article)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 1400


def test_pages_name_a_favicon_that_is_served(login, live_server):
    article = example_article()
    page = login()
    open_editor(page, live_server, article)
    href = page.locator("link[rel=icon]").get_attribute("href")
    response = page.request.get(live_server.url + href)
    assert response.status == 200 and response.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in response.body()


def test_accept_all_takes_endorsements_at_the_threshold_too_and_undo_puts_them_back(login, live_server):
    article = example_article()
    quote = suggestion(article, "We reject their support", 0.9)
    campaign = Entity.objects.create(name="Trump campaign")
    sure, unsure = (Endorsement.objects.create(
        article=article, endorser=campaign, target_text=target, polarity="opposes", status="suggested",
        origin="engine", engine_version="test", confidence=confidence)
        for target, confidence in (("the Taliban", 0.8), ("America First", 0.3)))
    page = login()
    open_editor(page, live_server, article)
    # Each card says how sure the engine was and which engine suggested it.
    card = page.locator(f"#endorsement-list li[data-id='{unsure.id}']").inner_text()
    assert "30%" in card and "suggested by test" in card
    page.get_by_label("Lowest confidence to accept").fill("0.5")
    page.get_by_role("button", name="Accept all (2)").click()  # the quote and one endorsement
    page.wait_for_selector("#banner:has-text('Accepted 2 suggestion(s) (1 endorsement(s))')")
    page.wait_for_selector(f"#endorsement-list li[data-id='{sure.id}'].accepted")
    assert [Quote.objects.get(pk=quote.pk).status, Endorsement.objects.get(pk=sure.pk).status,
            Endorsement.objects.get(pk=unsure.pk).status] == ["accepted", "accepted", "suggested"]
    page.locator("#body").focus()
    page.keyboard.press("u")
    page.wait_for_selector(f"#endorsement-list li[data-id='{sure.id}'].suggested")
    assert {Quote.objects.get(pk=quote.pk).status, Endorsement.objects.get(pk=sure.pk).status} == {"suggested"}
    assert page.errors == []


def test_an_endorsement_another_editor_reviewed_meanwhile_shows_theirs_and_the_button_acts_again(login, live_server):
    from django.contrib.auth import get_user_model

    article = example_article()
    campaign = Entity.objects.create(name="Trump campaign")
    endorsement = Endorsement.objects.create(article=article, endorser=campaign, target_text="the Taliban",
                                             polarity="opposes", status="suggested", origin="engine",
                                             engine_version="test", confidence=0.8)
    bob = get_user_model().objects.create(username="bob")
    page = login()
    open_editor(page, live_server, article)
    services.endorsement_review(endorsement=Endorsement.objects.get(pk=endorsement.pk), user=bob, status="accepted")
    card = page.locator(f"#endorsement-list li[data-id='{endorsement.id}']")
    card.get_by_role("button", name="Reject").click()
    message = page.wait_for_selector("#banner.error").inner_text()
    assert "bob changed Trump campaign opposes the Taliban" in message and "now accepted (theirs)" in message, message
    page.wait_for_selector(f"#endorsement-list li[data-id='{endorsement.id}'].accepted")
    assert Endorsement.objects.get(pk=endorsement.pk).status == "accepted"
    card.get_by_role("button", name="Reject").click()
    page.wait_for_selector(f"#endorsement-list li[data-id='{endorsement.id}']", state="detached")  # rejected: hidden
    assert Endorsement.objects.get(pk=endorsement.pk).status == "rejected"
    assert page.errors == []


def test_a_link_to_a_rejected_quote_shows_it(login, live_server):
    article = example_article()
    quote = suggestion(article, "we got worried")
    quote.status = "rejected"
    quote.save()
    page = login()
    page.goto(f"{live_server.url}/articles/{article.id}/#quote-{quote.id}")
    page.wait_for_function("() => window.newsdeskEditorReady === true")
    assert page.locator(f"#quote-list li[data-id='{quote.id}'].current.rejected").count() == 1
    assert page.get_by_label("Show rejected").is_checked()
    assert page.errors == []


def test_moving_through_a_long_article_keeps_the_top_bar_in_view(login, live_server):
    paragraphs = [f"Paragraph {i}. “We will fix road {i} soon,” Ann Lee said on day {i}." for i in range(60)]
    article = services.article_create(body="\n\n".join(paragraphs), suggest_after=False)
    for i in (0, 30, 59):
        suggestion(article, f"“We will fix road {i} soon,”")
    page = login()
    page.set_viewport_size({"width": 390, "height": 800})  # a phone: the page itself scrolls
    open_editor(page, live_server, article)
    for _ in range(3):
        page.keyboard.press("j")
        page.wait_for_timeout(600)  # the smooth scroll
    assert page.evaluate("() => window.scrollY") > 500  # the text did scroll
    top = page.locator(".topbar").bounding_box()
    assert top["y"] == 0 and page.locator(".topbar").is_visible()
    assert page.errors == []
