"""Done when (issue #14): an article goes from Markdown to a reviewed, published Polish page and back out to an
agency as XLIFF and in again, in a browser. No engine serves en -> pl here, so a Polish reviewer translates it
segment by segment, with the tags of the source as protected tokens."""

from __future__ import annotations

import pytest
from lxml import etree

from tests.browser.conftest import shoot
from tests.browser.test_flows import sign_in, sign_out
from tests.conftest import run_jobs

pytestmark = pytest.mark.browser

MARKDOWN = "You can return an item within **30 days**.\n\nOpen the *Orders* page and press **Return**.\n"
POLISH = ["Możesz zwrócić produkt w ciągu <1>30 dni</1>.",
          "Otwórz stronę <1>Zamówienia</1> i naciśnij <2>Zwróć</2>."]
NS2 = "urn:oasis:names:tc:xliff:document:2.0"


def agency_edit(data: bytes) -> bytes:
    """What the agency does: the second segment's first text run reworded, codes kept, marked reviewed."""
    root = etree.fromstring(data)
    segment = root.find(f".//{{{NS2}}}unit[@id='s1']/{{{NS2}}}segment")
    target = segment.find(f"{{{NS2}}}target")
    assert target is not None and target.text and target.text.startswith("Otwórz stronę ")
    target.text = "Przejdź na stronę "
    segment.set("state", "reviewed")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def test_markdown_article_to_a_reviewed_polish_page_and_through_an_agency_by_xliff(app, page, person, tmp_path):
    person("editor", "kim", "en")
    person("reviewer", "piotr", "pl")

    # The editor writes the article in Markdown with Polish as its target.
    sign_in(page, "kim")
    page.get_by_role("link", name="New article").click()
    page.get_by_label("Slug (in the public address)").fill("returns")
    page.get_by_label("Title").fill("Returning an item")
    page.get_by_label("Body", exact=True).fill(MARKDOWN)
    page.get_by_label("Body format").select_option("markdown")
    page.get_by_label("Target locales (comma-separated)").fill("pl")
    page.get_by_role("button", name="Create article").click()
    page.wait_for_selector('tr[data-locale="pl"]')
    page.locator('tr[data-locale="pl"] button.translate').click()
    page.wait_for_selector("text=Translation started for 1 locale(s).")
    run_jobs(app)  # no engine for en -> pl: a Polish translator is asked, in the review queue
    page.reload()
    assert "in review" in page.locator('tr[data-locale="pl"] .state').inner_text()
    sign_out(page)

    # The Polish reviewer translates segment by segment; a lost tag is refused, then fixed.
    sign_in(page, "piotr")
    page.get_by_role("link", name="Article returns").click()
    page.locator("#segment-editor").click()
    page.wait_for_selector("#segments")
    assert page.locator("#target-1").get_attribute("lang") == "pl"
    assert page.locator("#target-1").get_attribute("dir") == "ltr"
    assert page.locator("#segment-1 td.source .tag-chip").all_inner_texts() == ["<1>", "</1>"]
    page.locator("#title").fill("Zwrot produktu")
    page.locator("#target-1").fill("Możesz zwrócić produkt w ciągu <1>30 dni.")
    page.locator("#target-2").fill(POLISH[1])
    page.locator("#approve-segments").click()
    error = page.locator("#segments-error")
    error.wait_for()
    assert "segment 1: </1> is missing" in error.inner_text()
    shoot(page, "kb-segments-error")
    # The token buttons insert the missing closing tag at the cursor.
    page.locator("#target-1").evaluate("el => { el.focus(); el.setSelectionRange(el.value.length - 1, "
                                       "el.value.length - 1); }")
    page.locator("#segment-1 button.tag-chip", has_text="</1>").click()
    assert page.locator("#target-1").input_value() == POLISH[0]
    shoot(page, "kb-segments")
    page.locator("#approve-segments").click()
    page.wait_for_selector("text=Approved and published pl.")
    sign_out(page)

    # The public page in Polish shows it, its markup whole.
    page.goto("/kb/pl/returns")
    assert "Zwrot produktu" in page.locator("h1").first.inner_text()
    assert page.locator("strong").all_inner_texts() == ["30 dni", "Zwróć"]
    assert page.locator("em", has_text="Zamówienia").count() == 1
    shoot(page, "kb-public-pl")

    # Out to an agency as XLIFF and in again: the agency's change is published by the editor.
    sign_in(page, "kim")
    page.goto("/kb-editor/returns")
    with page.expect_download() as download_info:
        page.locator('tr[data-locale="pl"] a.xliff-export').click()
    exported = tmp_path / "returns.pl.xlf"
    download_info.value.save_as(exported)
    edited = tmp_path / "returns.pl.agency.xlf"
    edited.write_bytes(agency_edit(exported.read_bytes()))
    page.locator('tr[data-locale="pl"] input[type=file]').set_input_files(str(edited))
    page.locator('tr[data-locale="pl"] form.xliff-import button').click()
    page.wait_for_selector("text=Imported 2 segments into pl as a draft")
    page.locator('tr[data-locale="pl"] button.publish').click()
    page.wait_for_selector("text=Published pl.")
    page.goto("/kb/pl/returns")
    body = page.locator("body").inner_text()
    assert "Przejdź na stronę Zamówienia i naciśnij Zwróć." in body
    assert "Otwórz stronę" not in body
    assert page.locator("strong", has_text="Zwróć").count() == 1
