"""XLIFF hand-off of an article locale through the API: export, translate outside, import as a checked
draft that follows the article's review/publish path; bad files are refused whole with the line."""

from __future__ import annotations

import copy
import io

import pytest
from lxml import etree

from tests.conftest import FIXTURES, run_jobs
from tests.factories import PLAIN_BODY, locale_state, make_article, pending_review, translate_article
from tests.web.forms import post, sign_in, text_of
from workflows.kb.xliff import read

NS2 = "urn:oasis:names:tc:xliff:document:2.0"
NS12 = "urn:oasis:names:tc:xliff:document:1.2"
URL = "/api/v1/articles/shipping/locales/es/xliff"


def export(client, headers, version="2.1", url=URL):
    response = client.get(url, query_string={"version": version}, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/xliff+xml"
    return response.data


def translate_in_tool(data: bytes, *, prefix="ES ", state="translated") -> bytes:
    """What an outside translator's tool does: a target per segment, the source's codes kept, text changed."""
    root = etree.fromstring(data)
    version12 = root.nsmap.get(None) == NS12
    ns = NS12 if version12 else NS2
    for holder in root.iter(f"{{{ns}}}trans-unit" if version12 else f"{{{ns}}}segment"):
        source = holder.find(f"{{{ns}}}source")
        old = holder.find(f"{{{ns}}}target")
        if old is not None:
            holder.remove(old)
        target = copy.deepcopy(source)
        target.tag = f"{{{ns}}}target"
        for node in target.iter():
            if node.text and node.text.strip() and node.tag in (f"{{{ns}}}target", f"{{{ns}}}pc"):
                node.text = prefix + node.text
            if node.tail and node.tail.strip() and node.tag == f"{{{ns}}}bpt":  # 1.2: the text a pair holds
                node.tail = prefix + node.tail
        source.addnext(target)
        if version12:
            target.set("state", state)
        else:
            holder.set("state", state)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def upload(client, headers, data, url=URL, **kw):
    return client.post(url, data=data, headers={**headers, "Content-Type": "application/xliff+xml"}, **kw)


def test_export_has_the_title_and_each_segment_with_inline_codes_and_no_targets_yet(client, editor):
    make_article(client, editor)
    data = export(client, editor)
    doc = read(data)
    assert (doc.version, doc.source_lang, doc.target_lang) == ("2.1", "en", "es")
    assert doc.files[0].original == "tolk-kb:shipping@1"
    ids = [seg.id for _unit, seg in doc.segments()]
    assert ids == ["title", "s0", "s1", "s2", "s3", "s4"]
    assert all(seg.target is None and seg.state.label == "initial" for _u, seg in doc.segments())
    assert b'<pc id="1" dataRefStart="d1" dataRefEnd="d2">Orders</pc>' in data
    assert b'<data id="d1">&lt;b&gt;</data>' in data
    assert b'version="2.1"' in data and b'state="initial"' in data


def test_export_after_machine_translation_carries_the_draft_then_final_when_published(app, client, editor):
    make_article(client, editor, target_locales=["es"], publishing_policy="auto")
    translate_article(client, editor)
    run_jobs(app)  # policy auto: published at once
    doc = read(export(client, editor))
    states = {seg.state.label for _u, seg in doc.segments()}
    assert states == {"final"}
    assert all(seg.target for _u, seg in doc.segments())


@pytest.mark.parametrize("version", ["2.1", "2.0", "1.2"])
def test_round_trip_makes_a_checked_draft_that_is_not_published(app, client, editor, version):
    make_article(client, editor)
    translated = translate_in_tool(export(client, editor, version))
    response = upload(client, editor, translated)
    assert response.status_code == 200, response.json
    assert response.json["segments"] == 5 and response.json["review_id"] is None
    info = locale_state(client, editor)
    assert info["state"] == "missing" and info["published_revision"] is None  # waits for "Publish"
    assert info["draft_title"] == "ES Shipping times"
    assert "<li>ES Open the <b>ES Orders</b> page.</li>" in info["draft_html"]
    assert info["draft_html"].startswith("<p>ES We ship every order")
    assert isinstance(info["findings"], list)
    assert client.get("/api/v1/kb/es/shipping", headers=editor).status_code == 404
    published = client.post("/api/v1/articles/shipping/locales/es/publish", headers=editor)
    assert published.status_code == 200, published.json
    page = client.get("/kb/es/shipping").get_data(as_text=True)
    assert "ES Open the <b>ES Orders</b> page." in page
    again = read(export(client, editor, version))  # the published text comes back as final
    assert {seg.state.label for _u, seg in again.segments()} == {"final"}


def test_multipart_upload_works_too(client, editor):
    make_article(client, editor)
    translated = translate_in_tool(export(client, editor))
    response = client.post(URL, data={"file": (io.BytesIO(translated), "shipping.es.xlf")},
                           headers=editor, content_type="multipart/form-data")
    assert response.status_code == 200, response.json


def test_critical_article_import_goes_to_native_review(app, client, editor):
    make_article(client, editor, critical=True)
    response = upload(client, editor, translate_in_tool(export(client, editor)))
    assert response.status_code == 200, response.json
    assert response.json["review_id"] is not None
    assert locale_state(client, editor)["state"] == "in_review"
    _id, task, mt_text, content_type, _channel = pending_review(app)
    assert task == "review" and content_type == "article"
    assert mt_text.startswith("<h1>ES Shipping times</h1>")
    assert "ES We ship" not in client.get("/kb/es/shipping").get_data(as_text=True)  # nothing published


@pytest.mark.parametrize("policy", ["review", "auto", "manual"])
def test_an_import_into_a_locale_published_after_review_waits_for_its_reviewer(app, client, editor, policy):
    make_article(client, editor, publishing_policy=policy)
    response = upload(client, editor, translate_in_tool(export(client, editor)))
    assert response.status_code == 200, response.json
    if policy != "review":  # the editor publishes it (manual) or it waits for "Publish"
        assert response.json["review_id"] is None
        return
    # Policy review: a native reviewer approves it, as a machine translation would be; until then the editor
    # cannot publish it and nothing is live.
    assert response.json["review_id"] is not None
    assert locale_state(client, editor)["state"] == "in_review"
    _id, task, mt_text, _content_type, _channel = pending_review(app)
    assert task == "review" and mt_text.startswith("<h1>ES Shipping times</h1>")
    refused = client.post("/api/v1/articles/shipping/locales/es/publish", headers=editor)
    assert refused.status_code == 409 and refused.json["error"]["code"] == "review_required"
    assert "ES We ship" not in client.get("/kb/es/shipping").get_data(as_text=True)


def _tamper(data: bytes, old: bytes, new: bytes) -> bytes:
    assert old in data, old
    return data.replace(old, new, 1)


@pytest.mark.parametrize(("change", "reason"), [
    (lambda d: _tamper(d, b'original="tolk-kb:shipping@1"', b'original="tolk-kb:returns@1"'),
     "not an export of article 'shipping'"),
    (lambda d: _tamper(d, b'original="tolk-kb:shipping@1"', b'original="tolk-kb:shipping@7"'),
     "exported from revision 7"),
    (lambda d: _tamper(d, b'trgLang="es"', b'trgLang="de"'), "the article's locale is en -> es"),
    (lambda d: _tamper(d, b'<segment state="translated" id="s2">', b'<segment state="initial" id="s2">'),
     "segment 's2' is not translated"),
    (lambda d: _tamper(d, b'preserve">ES Sign in', b'preserve"><ph id="9"/>ES Sign in'),
     "inline code (standalone '9')"),
    (lambda d: _tamper(d, b'state="translated" id="s3"', b'state="translated" id="s9"'), "segment 's9' is not in the article"),
    (lambda d: _tamper(d, b">We ship every order", b">We ship no order"), "its source is not the article's"),
    (lambda d: d[:200], "not well-formed XML"),
])
def test_bad_imports_are_refused_whole_with_the_line_and_change_nothing(client, editor, change, reason):
    make_article(client, editor)
    good = translate_in_tool(export(client, editor))
    response = upload(client, editor, change(good))
    assert response.status_code == 400, response.json
    error = response.json["error"]
    assert error["code"] == "invalid_file" and reason in error["message"], error
    if error["details"]["line"] is not None:
        assert error["message"].startswith(f"line {error['details']['line']}: ")
    info = locale_state(client, editor)
    assert info["draft_html"] is None and info["state"] == "missing"


def test_a_missing_segment_is_named(client, editor):
    make_article(client, editor)
    root = etree.fromstring(translate_in_tool(export(client, editor)))
    unit = root.find(f".//{{{NS2}}}unit[@id='s4']")
    unit.getparent().remove(unit)
    response = upload(client, editor, etree.tostring(root))
    assert response.status_code == 400
    assert "lacks 1 segment(s) of the article: s4" in response.json["error"]["message"]


@pytest.mark.parametrize("name", ["xliff20/everything-core.xlf", "xliff12/Sample_AlmostEverything_1.2_transitional.xlf",
                                  "po/de.po", "tmx/standard.tmx"])
def test_third_party_files_are_refused_with_a_reason_never_a_crash(client, editor, name):
    make_article(client, editor)
    response = upload(client, editor, (FIXTURES / name).read_bytes())
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.json["error"]["code"] == "invalid_file"


def test_export_and_import_need_an_editor_and_known_things(client, editor, agent_headers):
    make_article(client, editor)
    assert client.get(URL, headers=agent_headers).status_code == 403
    assert upload(client, agent_headers, b"<xliff/>").status_code == 403
    assert client.get("/api/v1/articles/nope/locales/es/xliff", headers=editor).status_code == 404
    assert client.get("/api/v1/articles/shipping/locales/de/xliff", headers=editor).status_code == 404
    bad_version = client.get(URL, query_string={"version": "3.0"}, headers=editor)
    assert bad_version.status_code == 400 and bad_version.json["error"]["code"] == "invalid"
    assert upload(client, editor, b"").status_code == 400


def test_import_is_refused_while_the_locale_is_being_translated(client, editor):
    make_article(client, editor)
    data = translate_in_tool(export(client, editor))
    translate_article(client, editor)  # queued, not run: the locale is translating
    response = upload(client, editor, data)
    assert response.status_code == 409 and response.json["error"]["code"] == "translating"


def test_editor_page_exports_and_imports_xliff(client, editor, person):
    make_article(client, editor)
    person("editor", "eva")
    sign_in(client, "eva")
    page = client.get("/kb-editor/shipping")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'href="/kb-editor/shipping/xliff/es"' in html and 'action="/kb-editor/shipping/xliff/es"' in html
    download = client.get("/kb-editor/shipping/xliff/es?version=1.2")
    assert download.status_code == 200 and read(download.data).version == "1.2"
    assert "shipping.es.xlf" in download.headers["Content-Disposition"]

    refused = post(client, "/kb-editor/shipping/xliff/es", {"file": (io.BytesIO(b"<xliff"), "x.xlf")},
                   content_type="multipart/form-data", follow_redirects=True)
    assert "The XLIFF file was not imported: line 1: not well-formed XML" in text_of(refused)
    assert locale_state(client, editor)["draft_html"] is None

    good = translate_in_tool(download.data)
    done = post(client, "/kb-editor/shipping/xliff/es", {"file": (io.BytesIO(good), "x.xlf")},
                content_type="multipart/form-data", follow_redirects=True)
    assert "Imported 5 segments into es as a draft" in text_of(done)
    assert locale_state(client, editor)["draft_title"] == "ES Shipping times"


def test_cli_exports_and_imports(client, editor, runner, tmp_path):
    make_article(client, editor)
    out = tmp_path / "shipping.es.xlf"
    result = runner.invoke(args=["xliff", "export", "shipping", "es", "--version", "1.2", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert read(out.read_bytes()).version == "1.2"
    bad = tmp_path / "bad.xlf"
    bad.write_bytes(out.read_bytes())  # untranslated
    refused = runner.invoke(args=["xliff", "import", "shipping", "es", str(bad)])
    assert refused.exit_code != 0 and "segment 'title' is not translated" in refused.output
    assert locale_state(client, editor)["draft_html"] is None
    out.write_bytes(translate_in_tool(out.read_bytes()))
    done = runner.invoke(args=["xliff", "import", "shipping", "es", str(out)])
    assert done.exit_code == 0, done.output
    assert "imported 5 segments into shipping es: a draft waiting for Publish" in done.output
    assert locale_state(client, editor)["draft_title"] == "ES Shipping times"
    unknown = runner.invoke(args=["xliff", "export", "nope", "es"])
    assert unknown.exit_code != 0 and "no article 'nope'" in unknown.output


def test_lost_markup_is_a_critical_finding_and_a_later_import_supersedes_that_review(app, client, editor):
    make_article(client, editor)  # not critical
    good = translate_in_tool(export(client, editor))
    lossy = _tamper(good, b'<pc id="1" dataRefStart="d1" dataRefEnd="d2">ES Orders</pc>', b"ES Orders")
    first = upload(client, editor, lossy)
    assert first.status_code == 200 and first.json["review_id"] is not None
    info = locale_state(client, editor)
    assert info["state"] == "in_review"
    assert any(f["severity"] == "critical" and f["segment"] == 3 for f in info["findings"])
    second = upload(client, editor, good)  # clean, but the lossy draft is still waiting for review
    assert second.status_code == 200
    assert second.json["review_id"] not in (None, first.json["review_id"])
    assert locale_state(client, editor)["findings"] == [] or all(
        f["severity"] != "critical" for f in locale_state(client, editor)["findings"])


def test_outdated_locale_hands_over_only_what_changed(app, client, editor):
    make_article(client, editor, publishing_policy="auto")
    translate_article(client, editor)
    run_jobs(app)  # published in Spanish
    edited = PLAIN_BODY.replace("Parcels usually arrive within a week.", "Parcels usually arrive within days.")
    assert client.put("/api/v1/articles/shipping", json={"body": edited}, headers=editor).status_code == 200
    assert locale_state(client, editor)["state"] == "outdated"
    data = export(client, editor)
    doc = read(data)
    states = {seg.id: seg.state.label for _u, seg in doc.segments()}
    assert states == {"title": "final", "s0": "final", "s1": "final", "s2": "final", "s3": "final",
                      "s4": "initial"}
    assert b"New or changed since the locale was published" in data
    # The translator fills in the one segment without a target; the published ones go back as they were.
    root = etree.fromstring(data)
    segment = root.find(f".//{{{NS2}}}segment[@id='s4']")
    etree.SubElement(segment, f"{{{NS2}}}target").text = "Los paquetes suelen llegar en pocos días."
    segment.set("state", "translated")
    response = upload(client, editor, etree.tostring(root))
    assert response.status_code == 200, response.json
    info = locale_state(client, editor)
    assert info["draft_revision"] == 2 and info["draft_html"].endswith("<p>Los paquetes suelen llegar en pocos días.</p>")
