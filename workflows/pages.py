"""Pages for agents (draft and confirm replies), reviewers (queue, approve, reject, MQM annotation),
KB editors (articles, translation and publishing per locale) and admins (glossaries, locale profiles,
users and shifts, engines)."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from tolk.auth import audit, require, signed_in_user
from tolk.db import db, utcnow
from tolk.errors import NotFound, TolkError, ValidationError
from tolk.models import Role, User
from tolk.web import form_flag, form_list, marked, page_errors
from workflows import kb, locales, macros, replies, review
from workflows.models import Article, LocaleState, Reply, ReplyStatus, ReviewItem, ReviewStatus

bp = Blueprint("pages", __name__)
page_errors(bp)

RECENT_REPLIES = 25


def finding_spans(findings: list[dict[str, Any]]) -> list[tuple[int, int, str]]:
    """(start, end, message) spans in the target text from check findings and term findings."""
    spans = []
    for f in findings or []:
        title = f"{f.get('severity', '')}: {f.get('message') or f.get('check', '')}"
        for span in f.get("spans") or []:
            if isinstance(span, list | tuple) and len(span) == 2:
                spans.append((span[0], span[1], title))
        target = f.get("target_span")
        if isinstance(target, list | tuple) and len(target) == 2:
            spans.append((target[0], target[1], title))
    return spans


def _commit_or_rollback(action) -> Any:
    try:
        result = action()
        db.session.commit()
        return result
    except BaseException:
        db.session.rollback()
        raise


# --- agent -----------------------------------------------------------------------------------------


def _templates() -> list[dict[str, Any]]:
    from workflows.models import ReplyTemplate

    rows = db.session.scalars(select(ReplyTemplate).order_by(ReplyTemplate.id))
    return [{"id": t.id, "title": t.title or t.id, "variables": sorted(macros.template_variables(t))} for t in rows]


def _recent(user: User) -> list[dict[str, Any]]:
    query = select(Reply).where(Reply.agent_id == user.id).order_by(Reply.id.desc()).limit(RECENT_REPLIES)
    return [_reply_view(r) for r in db.session.scalars(query)]


def _reply_view(reply: Reply) -> dict[str, Any]:
    import datetime as dt

    data = replies.reply_to_dict(db.session, reply)
    deadline = data.get("sla_deadline")
    data["deadline"] = dt.datetime.fromisoformat(deadline) if deadline else None
    return data


def _parse_variables(raw: str) -> dict[str, str]:
    """Template variables typed as ``name=value``, one a line."""
    out: dict[str, str] = {}
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        name, sep, value = line.partition("=")
        if not sep or not name.strip():
            raise ValidationError(_("Variables, line %(line)d: write name=value.", line=number))
        out[name.strip()] = value.strip()
    return out


def _agent_form(form: dict[str, Any] | None = None, error: str | None = None, status: int = 200, **extra: Any):
    user = signed_in_user()
    values = {"channel": "email", "idempotency_key": uuid.uuid4().hex, **(form or {})}
    return render_template("agent/home.html", form=values, error=error, templates=_templates(),
                           recent=_recent(user), channels=replies.CHANNELS,
                           languages=current_app.config["LANGUAGES"], **extra), status


@bp.get("/agent")
@require(Role.AGENT)
def agent_home():
    return _agent_form()


@bp.post("/agent/replies")
@require(Role.AGENT)
def agent_draft():
    user = signed_in_user()
    form = request.form.to_dict()
    body: dict[str, Any] = {
        "text": form.get("text", "").replace("\r\n", "\n"), "ticket_ref": form.get("ticket_ref", "").strip(),
        "channel": form.get("channel", ""), "customer_locale": form.get("customer_locale") or None,
        "customer_message": form.get("customer_message") or None, "vip": form_flag("vip"),
        "escalated": form_flag("escalated"), "idempotency_key": form.get("idempotency_key") or None,
        "template_id": form.get("template_id") or None,
    }
    try:
        if body["template_id"]:
            body["variables"] = _parse_variables(form.get("variables", ""))
            if not body["text"].strip():
                body["text"] = None
        req = replies.DraftRequest.from_json(body, current_app.config["MAX_TEXT_CHARS"])
        with replies.drafting(db.session, user, req) as (reply, _created):
            db.session.commit()
    except TolkError as exc:
        db.session.rollback()
        detection = (exc.details or {}).get("detection")
        return _agent_form(form, error=exc.message, status=exc.status, detection=detection)
    return redirect(url_for("pages.agent_reply", reply_id=reply.id), code=303)


@bp.get("/agent/replies/<int:reply_id>")
@require(Role.AGENT)
def agent_reply(reply_id: int):
    reply = replies.get_reply(db.session, signed_in_user(), reply_id)
    data = _reply_view(reply)
    shown = reply.final_text if reply.final_text is not None else reply.mt_text
    highlighted = marked(shown, finding_spans(reply.findings) if shown == reply.mt_text else [])
    return render_template("agent/reply.html", reply=data, highlighted=highlighted)


@bp.post("/agent/replies/<int:reply_id>/confirm")
@require(Role.AGENT)
def agent_confirm(reply_id: int):
    user = signed_in_user()
    reply = replies.get_reply(db.session, user, reply_id)
    replies.confirm(db.session, user, reply)
    flash(_("Reply released to the customer."), "success")
    return redirect(url_for("pages.agent_reply", reply_id=reply.id), code=303)


# --- reviewer ---------------------------------------------------------------------------------------


def _item_title(item: ReviewItem) -> str:
    if item.kind == "reply":
        reply = db.session.get(Reply, item.object_id)
        return _("Reply for ticket %(ticket)s", ticket=reply.ticket_ref) if reply else _("Reply")
    if item.kind == "article":
        from workflows.models import ArticleLocale

        row = db.session.get(ArticleLocale, item.object_id)
        if row is not None:
            return _("Article %(slug)s", slug=row.article.slug)
    return f"{item.kind} {item.object_id}"


@bp.get("/review")
@require(Role.REVIEWER)
def review_queue():
    user = signed_in_user()
    status = request.args.get("status", "pending")
    if status not in {s.value for s in ReviewStatus}:
        raise ValidationError(f"unknown status {status!r}")
    items = review.visible_items(db.session, user, status=status)
    users = {u.id: u.name for u in db.session.scalars(select(User))}
    rows = [{"item": i, "title": _item_title(i),
             "assignee": users.get(i.assignee_id) if i.assignee_id is not None else None} for i in items]
    return render_template("review/queue.html", rows=rows, status=status, statuses=[s.value for s in ReviewStatus])


def _termbase():
    name = current_app.config.get("DEFAULT_GLOSSARY")
    if not name:
        return None
    from glossaries.store import load_termbase

    try:
        return load_termbase(db.session, name)
    except NotFound:
        return None


def _glossary_terms(item: ReviewItem) -> tuple[list[tuple[int, int, str]], list[dict[str, Any]]]:
    """Glossary terms found in the source: spans to highlight, and each term with its target equivalents."""
    termbase = _termbase()
    if termbase is None:
        return [], []
    from glossaries.verify import find_terms

    spans, terms, seen = [], [], set()
    for start, end, concept in find_terms(item.source_text, termbase, item.source_lang):
        allowed = [t.text for t in concept.allowed(item.target_lang)]
        spans.append((start, end, _("Glossary: %(target)s", target=", ".join(allowed) or "-")))
        key = item.source_text[start:end].lower()
        if key not in seen:
            seen.add(key)
            terms.append({"source": item.source_text[start:end], "targets": allowed,
                          "do_not_translate": concept.do_not_translate, "note": concept.note})
    return spans, terms


@bp.get("/review/<int:item_id>")
@require(Role.REVIEWER)
def review_item(item_id: int):
    user = signed_in_user()
    item = review.get_item(db.session, user, item_id)
    from lqa.mqm import CATEGORIES, SEVERITIES

    term_spans, terms = _glossary_terms(item)
    texts: dict[str, Any] = {"mt_text": item.mt_text, "final_text": item.final_text}
    if review.sees_customer_data(user, item):
        source = marked(item.source_text, term_spans, css="term")
        machine = marked(item.mt_text, finding_spans(item.findings))
    else:  # customer data as tokens; the highlights' offsets belong to the real text
        texts = review.protected_texts(db.session, item)
        source, machine = marked(texts["source_text"], []), marked(texts["mt_text"], [])
    return render_template(
        "review/item.html", item=item, title=_item_title(item), source=source, machine=machine, terms=terms,
        texts=texts,
        decidable=item.status in (ReviewStatus.PENDING, ReviewStatus.ESCALATED),
        categories=sorted(CATEGORIES), severities=[s.value for s in SEVERITIES])


def _annotations() -> list[dict[str, Any]]:
    """MQM annotation rows of the review form; rows without a category are blank and skipped."""
    form = request.form
    columns = [form.getlist(f"ann_{name}") for name in ("category", "severity", "start", "end", "note")]
    # A row without JavaScript may leave fields out entirely: pad every column to the longest.
    size = max(len(c) for c in columns)
    columns = [c + [""] * (size - len(c)) for c in columns]
    rows = []
    for number, (category, severity, start, end, note) in enumerate(zip(*columns, strict=True), start=1):
        if not category.strip():
            continue
        row: dict[str, Any] = {"category": category, "severity": severity, "note": note.strip() or None}
        for key, raw in (("start", start), ("end", end)):
            raw = raw.strip()
            if raw and not raw.isdigit():
                raise ValidationError(_("Annotation %(n)d: %(field)s must be a whole number.", n=number, field=key))
            row[key] = int(raw) if raw else None
        rows.append(row)
    return rows


def _version() -> int | None:
    raw = request.form.get("version", "")
    return int(raw) if raw.isdigit() else None


@bp.post("/review/<int:item_id>/approve")
@require(Role.REVIEWER)
def review_approve(item_id: int):
    user = signed_in_user()
    item = review.get_item(db.session, user, item_id)
    # Browsers send textarea line breaks as CRLF; the machine text and annotation offsets use LF.
    text = request.form.get("text")
    text = text.replace("\r\n", "\n") if text is not None else None
    _commit_or_rollback(lambda: review.approve(db.session, item, user, text=text, annotations=_annotations(),
                                               version=_version()))
    edited = item.final_text != item.mt_text
    flash(_("Approved with edits.") if edited else _("Approved."), "success")
    return redirect(url_for("pages.review_queue"), code=303)


@bp.post("/review/<int:item_id>/reject")
@require(Role.REVIEWER)
def review_reject(item_id: int):
    user = signed_in_user()
    item = review.get_item(db.session, user, item_id)
    reason = request.form.get("reason", "").strip()
    _commit_or_rollback(lambda: review.reject(db.session, item, user, reason=reason, annotations=_annotations(),
                                              version=_version()))
    flash(_("Rejected: the author has been told why."), "success")
    return redirect(url_for("pages.review_queue"), code=303)


# --- KB editor --------------------------------------------------------------------------------------


KB_STATES = [s.value for s in LocaleState]


def _article_locales(article: Article) -> list[str]:
    return sorted({row.locale for row in article.locales})


@bp.get("/kb-editor")
@require(Role.EDITOR)
def kb_articles():
    articles = list(db.session.scalars(select(Article).order_by(Article.slug)))
    locales_shown = sorted({row.locale for a in articles for row in a.locales})
    rows = [{"article": a, "title": kb.current_revision(a).title,
             "states": {row.locale: kb.locale_to_dict(db.session, row) for row in a.locales}} for a in articles]
    return render_template("kb/editor_list.html", rows=rows, locales=locales_shown)


def _article_form(article: Article | None, form: dict[str, Any] | None = None, error: str | None = None,
                  status: int = 200):
    info = kb.article_to_dict(db.session, article) if article is not None else None
    if form is None:
        form = {"format": "html", "source_locale": "en", "targets": "", "critical": False}
        if info is not None:
            form.update(slug=info["slug"], title=info["title"], body=info["body_html"],
                        source_locale=info["source_locale"], targets=", ".join(info["target_locales"]),
                        critical=info["critical"])
    return render_template("kb/editor_article.html", article=info, form=form, error=error), status


def _form_article() -> dict[str, Any]:
    return {"slug": request.form.get("slug", "").strip(), "title": request.form.get("title", "").strip(),
            "body": request.form.get("body", "").replace("\r\n", "\n"),
            "format": request.form.get("format", "html"),
            "source_locale": request.form.get("source_locale", "en").strip() or "en",
            "targets": request.form.get("targets", ""), "critical": form_flag("critical")}


def _targets(raw: str) -> list[str]:
    from tolk.languages import UnknownLanguage, canonical

    out = []
    for tag in (t.strip() for t in raw.replace("\n", ",").split(",")):
        if not tag:
            continue
        try:
            out.append(canonical(tag))
        except UnknownLanguage as exc:
            raise ValidationError(_("Target locales: %(error)s", error=str(exc))) from exc
    return out


@bp.get("/kb-editor/new")
@require(Role.EDITOR)
def kb_new():
    return _article_form(None)


@bp.post("/kb-editor/new")
@require(Role.EDITOR)
def kb_create():
    user = signed_in_user()
    form = _form_article()
    try:
        if not form["title"]:
            raise ValidationError(_("The title is empty."))
        article = kb.create_article(
            db.session, slug=form["slug"], title=form["title"][:kb.MAX_TITLE_CHARS],
            body_html=kb.source_html(form["body"], form["format"]), source_locale=form["source_locale"],
            critical=form["critical"], target_locales=_targets(form["targets"]), author=user.name)
        db.session.commit()
    except TolkError as exc:
        db.session.rollback()
        return _article_form(None, form, exc.message, exc.status)
    flash(_("Article created."), "success")
    return redirect(url_for("pages.kb_article", slug=article.slug), code=303)


@bp.get("/kb-editor/<slug>")
@require(Role.EDITOR)
def kb_article(slug: str):
    return _article_form(kb.get_article(db.session, slug))


@bp.post("/kb-editor/<slug>")
@require(Role.EDITOR)
def kb_save(slug: str):
    user = signed_in_user()
    article = kb.get_article(db.session, slug)
    form = _form_article()
    try:
        if not form["title"]:
            raise ValidationError(_("The title is empty."))
        revised = kb.update_article(db.session, article, author=user.name, title=form["title"],
                                    body_html=kb.source_html(form["body"], form["format"]),
                                    critical=form["critical"], target_locales=_targets(form["targets"]))
        db.session.commit()
    except TolkError as exc:
        db.session.rollback()
        form["slug"] = slug
        return _article_form(kb.get_article(db.session, slug), form, exc.message, exc.status)
    flash(_("Saved as a new revision.") if revised else _("Saved."), "success")
    return redirect(url_for("pages.kb_article", slug=slug), code=303)


@bp.post("/kb-editor/<slug>/translate")
@require(Role.EDITOR)
def kb_translate(slug: str):
    article = kb.get_article(db.session, slug)
    wanted = form_list("locale") or None
    jobs = kb.start_translation(db.session, article, wanted, signed_in_user().name)
    flash(_("Translation started for %(count)d locale(s).", count=len(jobs)), "success")
    return redirect(url_for("pages.kb_article", slug=slug), code=303)


@bp.post("/kb-editor/<slug>/publish")
@require(Role.EDITOR)
def kb_publish(slug: str):
    article = kb.get_article(db.session, slug)
    locale = request.form.get("locale", "")
    author = signed_in_user().name
    _commit_or_rollback(lambda: kb.publish_draft(db.session, article, locale, author))
    flash(_("Published %(locale)s.", locale=locale), "success")
    return redirect(url_for("pages.kb_article", slug=slug), code=303)


@bp.get("/kb-editor/<slug>/preview/<locale>")
@require(Role.EDITOR)
def kb_preview(slug: str, locale: str):
    article = kb.get_article(db.session, slug)
    row = kb.find_locale(article, locale)
    which = request.args.get("version", "draft")
    title, body = ((row.published_title, row.published_html) if which == "published"
                   else (row.draft_title, row.draft_html))
    if body is None:
        raise NotFound(_("%(locale)s has no %(version)s version yet.", locale=locale, version=which))
    # kb.sanitize is the KB module's HTML allow-list: the only markup pages render unescaped.
    return render_template("kb/editor_preview.html", article=article, locale=locale, title=title,
                           body=kb.sanitize(body), version=which,
                           direction=kb.text_direction(db.session, locale),
                           public_url=kb.public_path(locale, slug) if row.published_html else None)


# --- admin ------------------------------------------------------------------------------------------


@bp.get("/admin")
@require(Role.ADMIN)
def admin_home():
    from glossaries.models import Glossary

    counts = {"users": len(db.session.scalars(select(User.id)).all()),
              "glossaries": len(db.session.scalars(select(Glossary.id)).all()),
              "pending_reviews": len(db.session.scalars(select(ReviewItem.id).where(
                  ReviewItem.status == ReviewStatus.PENDING)).all())}
    return render_template("admin/home.html", counts=counts)


@bp.get("/admin/glossaries")
@require(Role.ADMIN)
def admin_glossaries():
    from glossaries.models import Glossary
    from glossaries.store import glossary_to_dict

    rows = [glossary_to_dict(g) for g in db.session.scalars(select(Glossary).order_by(Glossary.name))]
    return render_template("admin/glossaries.html", glossaries=rows)


@bp.post("/admin/glossaries/import")
@require(Role.ADMIN)
def admin_glossary_import():
    from glossaries.formats import read_glossary
    from glossaries.store import save_termbase
    from glossaries.terms import GlossaryFormatError

    max_bytes = current_app.config["MAX_UPLOAD_BYTES"]
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationError(_("Choose a TBX or CSV file to import."))
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValidationError(_("The file is larger than %(bytes)d bytes.", bytes=max_bytes))
    name = request.form.get("name", "").strip() or upload.filename.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    replace = form_flag("replace")
    try:
        termbase = read_glossary(data, upload.filename, max_bytes=max_bytes)
    except GlossaryFormatError as exc:
        # The error names the line or element itself.
        raise ValidationError(_("Import refused, nothing was stored: %(error)s", error=str(exc))) from exc

    def store():
        glossary = save_termbase(db.session, termbase, name=name, replace=replace)
        audit("glossary.imported", "glossary", glossary.name,
              detail={"entries": len(termbase.concepts), "replace": replace})
        return glossary

    glossary = _commit_or_rollback(store)
    flash(_("Imported %(count)d entries into %(name)s.", count=len(termbase.concepts), name=glossary.name),
          "success")
    return redirect(url_for("pages.admin_glossary", name=glossary.name), code=303)


@bp.get("/admin/glossaries/<name>")
@require(Role.ADMIN)
def admin_glossary(name: str):
    from glossaries.store import get_glossary, glossary_to_dict

    glossary = glossary_to_dict(get_glossary(db.session, name), entries=True)
    return render_template("admin/glossary.html", glossary=glossary)


@bp.post("/admin/glossaries/<name>/entries")
@require(Role.ADMIN)
def admin_glossary_add(name: str):
    from glossaries.store import add_concept, concept_from_dict, get_glossary

    glossary = get_glossary(db.session, name)
    terms = [{"lang": glossary.source_lang, "text": request.form.get("source_term", "").strip()}]
    target_lang, target = request.form.get("target_lang", "").strip(), request.form.get("target_term", "").strip()
    if not terms[0]["text"]:
        raise ValidationError(_("The source term is empty."))
    if target_lang and target:
        terms.append({"lang": target_lang, "text": target})
    concept = concept_from_dict({"terms": terms, "do_not_translate": form_flag("do_not_translate"),
                                 "note": request.form.get("note", "").strip() or None})

    def store():
        row = add_concept(db.session, glossary, concept)
        audit("glossary.entry_added", "glossary", name, detail={"entry": row.id})

    _commit_or_rollback(store)
    flash(_("Entry added."), "success")
    return redirect(url_for("pages.admin_glossary", name=name), code=303)


@bp.post("/admin/glossaries/<name>/entries/<int:entry_id>/delete")
@require(Role.ADMIN)
def admin_glossary_delete_entry(name: str, entry_id: int):
    from glossaries.store import delete_concept, get_glossary

    def remove():
        delete_concept(db.session, get_glossary(db.session, name), entry_id)
        audit("glossary.entry_deleted", "glossary", name, detail={"entry": entry_id})

    _commit_or_rollback(remove)
    flash(_("Entry deleted."), "success")
    return redirect(url_for("pages.admin_glossary", name=name), code=303)


@bp.get("/admin/users")
@require(Role.ADMIN)
def admin_users():
    from workflows.sla import on_shift

    now = utcnow()
    users = [{"user": u, "on_shift": on_shift(u, now)} for u in db.session.scalars(select(User).order_by(User.name))]
    return render_template("admin/users.html", users=users, roles=[r.value for r in Role], form={})


@bp.post("/admin/users")
@require(Role.ADMIN)
def admin_create_user():
    from tolk.accounts import create_user

    form = request.form.to_dict()
    form.pop("password", None)
    try:
        user = create_user(db.session, request.form.get("name", "").strip(), role=request.form.get("role", ""),
                           languages=request.form.get("languages", "").strip(),
                           timezone=request.form.get("timezone", "").strip() or "UTC",
                           shift=request.form.get("shift", "").strip() or "09:00-17:00",
                           days=",".join(request.form.getlist("days")) or "mon,tue,wed,thu,fri",
                           password=request.form.get("password") or None)
        db.session.flush()
        audit("user.created", "user", user.id, detail={"name": user.name, "role": user.role.value})
        db.session.commit()
    except TolkError as exc:
        db.session.rollback()
        from workflows.sla import on_shift

        now = utcnow()
        users = [{"user": u, "on_shift": on_shift(u, now)}
                 for u in db.session.scalars(select(User).order_by(User.name))]
        return render_template("admin/users.html", users=users, roles=[r.value for r in Role], form=form,
                               error=exc.message), exc.status
    flash(_("User %(name)s created.", name=user.name), "success")
    return redirect(url_for("pages.admin_users"), code=303)


@bp.get("/admin/engines")
@require(Role.ADMIN)
def admin_engines():
    from machinery.registry import ENGINES
    from machinery.routing import parse_routes
    from machinery.service import services
    from machinery.translator import describe_engines

    m = services()
    health = {}
    for name, engine in m.engines.items():
        try:
            health[name] = engine.health()
        except Exception as exc:  # noqa: BLE001 - a broken engine is what this page is for
            health[name] = {"configured": False, "error": f"{type(exc).__name__}: {exc}"}
    return render_template("admin/engines.html", engines=describe_engines(m.engines), health=health,
                           routes=parse_routes(current_app.config["ENGINE_ROUTES"], list(ENGINES)))


SLA_CHANNELS = locales.CHANNELS


@bp.get("/admin/locales")
@require(Role.ADMIN)
def admin_locales():
    return render_template("admin/locales.html", profiles=locales.list_profiles(db.session))


@bp.get("/admin/locales/<locale>")
@require(Role.ADMIN)
def admin_locale(locale: str):
    profile = locales.effective_profile(db.session, locale)
    return render_template("admin/locale.html", profile=profile, channels=SLA_CHANNELS,
                           formalities=locales.FORMALITIES, weekdays=locales.WEEKDAYS)


@bp.get("/admin/locales/open")
@require(Role.ADMIN)
def admin_locale_open():
    tag = locales.check_locale(request.args.get("locale", "").strip())
    return redirect(url_for("pages.admin_locale", locale=tag))


def _number(name: str, kind: type) -> Any:
    raw = request.form.get(name, "").strip()
    if not raw:
        return None
    try:
        return kind(raw)
    except ValueError:
        raise ValidationError(_("%(field)s must be a number.", field=name)) from None


@bp.post("/admin/locales/<locale>")
@require(Role.ADMIN)
def admin_locale_save(locale: str):
    form = request.form
    sla = {}
    for channel in SLA_CHANNELS:
        minutes = _number(f"sla_{channel}", int)
        if minutes is not None:
            sla[channel] = minutes
    body: dict[str, Any] = {
        "name": form.get("name", "").strip(), "formality": form.get("formality", "default"),
        "greeting": form.get("greeting", "").replace("\r\n", "\n"),
        "sign_off": form.get("sign_off", "").replace("\r\n", "\n"),
        "upsell_allowed": form_flag("upsell_allowed"), "always_review": form_flag("always_review"),
        "sla_minutes": sla, "working_days": form.getlist("working_days") or None,
        "holidays": form_list("holidays"), "currency": form.get("currency", "").strip() or None,
        "quality_threshold": _number("quality_threshold", float), "sample_rate": _number("sample_rate", float),
        "critical_terms": form_list("critical_terms"),
    }

    def save():
        row, created = locales.update_profile(db.session, locale, body)
        audit("locale.created" if created else "locale.updated", "locale", row.locale,
              detail={"fields": sorted(body)})
        return row

    row = _commit_or_rollback(save)
    flash(_("Locale profile %(locale)s saved.", locale=row.locale), "success")
    return redirect(url_for("pages.admin_locale", locale=row.locale), code=303)


def reply_statuses() -> dict[str, str]:
    """Reply states as shown to agents."""
    return {ReplyStatus.DRAFTED: _("drafted"), ReplyStatus.AWAITING_AGENT: _("waiting for your confirmation"),
            ReplyStatus.IN_REVIEW: _("waiting for review"), ReplyStatus.APPROVED: _("approved"),
            ReplyStatus.RELEASED: _("released"), ReplyStatus.REJECTED: _("rejected")}


def reason_text(reason: dict[str, Any]) -> str:
    """A routing reason in the UI language, still quoting the words that held the reply as written."""
    template = reason.get("template")
    if not template:
        return str(reason.get("message", ""))
    return _(template, **reason.get("params", {}))


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    return {"reply_statuses": reply_statuses, "reason_text": reason_text}
