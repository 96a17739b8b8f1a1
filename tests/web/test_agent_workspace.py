"""The agent's workspace through the pages: the customer's message read in the agent's language, edits of
the text or the translation, revise and resend after a rejection, copy and mark sent, back-translation on
demand, plain-language states with both clocks, template variables with examples, likely languages, form
errors in words; and the ticket's context beside the review item."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tests.web.forms import post, sign_in, text_of
from tolk.db import db

MESSAGE = "Mi pedido no ha llegado todavía."


@pytest.fixture
def team(person):
    return {"agent": person("agent", "alex", "en", timezone="America/New_York"),
            "es": person("reviewer", "lucia", "es", timezone="Europe/Madrid"),
            "pl": person("reviewer", "piotr", "pl", timezone="Europe/Warsaw"),
            "admin": person("admin", "ada", "en")}


def draft(client, text="Yes, done.", **form):
    data = {"ticket_ref": "T-7", "channel": "email", "customer_locale": "es", "text": text, **form}
    return post(client, "/agent/replies", data)


def reply_of(app, location: str):
    from workflows.models import Reply

    with app.app_context():
        return db.session.get(Reply, int(location.rsplit("/", 1)[1]), options=[selectinload(Reply.transitions)])


def test_the_customers_message_is_translated_before_and_shown_after_drafting(app, client, team):
    sign_in(client, "alex")
    shown = post(client, "/agent/replies", {"ticket_ref": "T-7", "channel": "email", "customer_locale": "",
                                            "customer_message": MESSAGE, "text": "",
                                            "action": "translate_message"})
    assert shown.status_code == 200
    html = shown.get_data(as_text=True)
    assert "arrived" in text_of(shown) and 'id="message-translation"' in html
    assert '<option value="es" selected>' in html  # the message's language, for the draft to come
    location = draft(client, "We are looking into it.", customer_message=MESSAGE).location
    page = client.get(location).get_data(as_text=True)
    assert MESSAGE in page and re.search(r'id="customer-message-translation"[^>]*>[^<]*arrived', page)


def test_translating_an_empty_message_says_what_to_do(client, team):
    sign_in(client, "alex")
    response = post(client, "/agent/replies", {"ticket_ref": "T-7", "channel": "email", "customer_message": " ",
                                               "action": "translate_message"})
    assert response.status_code == 400 and "Paste the customer" in text_of(response)
    for tag in ("klingon", "xx-Latn-QQ"):
        response = post(client, "/agent/replies", {"ticket_ref": "T-7", "channel": "email", "customer_locale": tag,
                                                   "customer_message": MESSAGE, "action": "translate_message"})
        assert response.status_code == 400 and "Pick the customer&#39;s language from the list." in text_of(response)


def test_uncertain_detection_offers_the_likely_languages_with_the_first_selected(app, client, team):
    sign_in(client, "alex")
    response = draft(client, "We are looking into it.", customer_locale="", customer_message="ok")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "cannot tell the customer" in html and "language_uncertain" not in html
    likely = re.search(r'<optgroup label="Likely">(.*?)</optgroup>', html).group(1)
    options = re.findall(r'<option value="([\w-]+)"( selected)?>', likely)
    assert options and options[0][1] == " selected" and not any(sel for _, sel in options[1:])
    assert 'id="likely-languages"' in html


def test_the_agent_corrects_the_translation_and_it_is_checked_again(app, client, team):
    sign_in(client, "alex")
    location = draft(client).location
    assert "Waiting for you" in text_of(client.get(location))
    empty = post(client, location + "/edit", {"field": "translation", "value": "   "})
    assert empty.status_code == 400 and "The new text is empty" in text_of(empty)
    bogus = post(client, location + "/edit", {"field": "colour", "value": "x"})
    assert bogus.status_code == 400 and "Choose what to change" in text_of(bogus)
    assert len(reply_of(app, location).transitions) == 2  # nothing changed
    done = post(client, location + "/edit", {"field": "translation", "value": "Sí, ya está hecho."})
    assert done.status_code == 303
    page = text_of(client.get(location))
    assert "Changed: checked and routed anew." in page and "Sí, ya está hecho." in page
    reply = reply_of(app, location)
    assert reply.mt_text == "Sí, ya está hecho." and reply.engine == "agent"
    assert reply.transitions[-2].note == "translation edited"


def test_a_rejected_reply_is_revised_and_resent_from_its_page(app, client, team):
    from workflows.models import ReviewItem

    sign_in(client, "alex")
    location = draft(client, "We cancelled your order.").location
    reply_id = int(location.rsplit("/", 1)[1])
    with app.app_context():
        item = db.session.scalar(select(ReviewItem).where(ReviewItem.object_id == reply_id))
    post(client, "/sign-out")
    sign_in(client, "lucia")
    post(client, f"/review/{item.id}/reject", {"reason": "Too blunt for a cancellation."})
    post(client, "/sign-out")
    sign_in(client, "alex")
    page = client.get(location)
    assert "Revise and send again" in text_of(page) and 'id="resend"' in page.get_data(as_text=True)
    wrong = post(client, location + "/edit", {"field": "text", "value": "Sorry."})
    assert wrong.status_code == 409 and "cannot be changed this way now: it is rejected" in text_of(wrong)
    resent = post(client, location + "/resend", {"field": "text",
                                                 "value": "We are sorry: we had to cancel your order."})
    assert resent.status_code == 303
    page = text_of(client.get(location))
    assert "Sent again: checked and routed anew." in page and "lucia, a Spanish reviewer, will check it" in page
    assert reply_of(app, location).source_text == "We are sorry: we had to cancel your order."


def test_a_released_reply_is_copied_back_translated_and_marked_sent(app, client, team):
    sign_in(client, "alex")
    location = draft(client, "Thank you for your patience, your parcel is on its way.").location
    html = client.get(location).get_data(as_text=True)
    assert 'id="copy-reply" data-copy="#translated"' in html and "agent_workspace.js" in html
    assert 'id="show-back-translation"' in html and 'id="back-translation" lang' not in html
    back = post(client, location + "/back-translation")
    assert back.status_code == 303
    html = client.get(location).get_data(as_text=True)
    assert re.search(r'id="back-translation" lang="en">[^<]*patience', html)
    sent = post(client, location + "/sent")
    assert sent.status_code == 303
    page = text_of(client.get(location))
    assert "Marked as sent to the ticket." in page and "Sent to the ticket by alex" in page
    assert 'id="mark-sent"' not in client.get(location).get_data(as_text=True)
    again = post(client, location + "/sent")
    assert again.status_code == 303
    assert "Only a released reply can be marked as sent, and only once." in text_of(client.get(location))
    assert reply_of(app, location).sent_by == "alex"


def test_a_reply_for_a_translator_says_who_and_by_when_on_both_clocks(app, client, team):
    sign_in(client, "alex")
    location = draft(client, "Thanks for waiting.", customer_locale="pl").location
    page = text_of(client.get(location))
    assert "waiting for a translator" in page and "a translator writes it" in page
    assert "piotr, a Polish translator, will write it by" in page
    assert "(America/New_York)" in page and "(Europe/Warsaw)" in page
    assert "No machine translation for English → Polish; a Polish translator will write it." in page
    assert "no engine serves" not in page and "human_translation" not in page
    assert "A translator writes this reply" in page
    post(client, "/sign-out")
    sign_in(client, "ada")
    assert "no engine serves" in text_of(client.get(location))  # the details, for admins


def test_the_template_picker_lists_variables_and_money_takes_a_currency(app, client, team):
    from workflows.locales import seed_demo_locales
    from workflows.macros import seed_demo_templates

    with app.app_context():
        seed_demo_locales(db.session)
        seed_demo_templates(db.session)
        db.session.commit()
    sign_in(client, "alex")
    page = text_of(client.get("/agent"))
    assert "refund_amount=49.90 – amount: a number such as 49.90, in EUR" in page
    assert "may add a greeting and a sign-off that need: customer_name" in page
    assert re.search(r"delivery_date=2026-12-24 – date: YYYY-MM-DD; shown as .?December 24, 2026", page)
    response = draft(client, "", customer_locale="es", template_id="refund-confirmation",
                     variables="refund_amount=49.90 USD\norder_id=A-1\ncount=2\ndelivery_date=2026-12-24\n"
                               "customer_name=Ana")
    assert response.status_code == 303, text_of(response)
    reply = reply_of(app, response.location)
    assert "US$" in reply.mt_text or "USD" in reply.mt_text
    refused = draft(client, "", customer_locale="es", template_id="refund-confirmation",
                    variables="refund_amount=lots\norder_id=A-1\ncount=2\ndelivery_date=2026-12-24\n"
                              "customer_name=Ana")
    assert refused.status_code == 400 and "Template variable refund_amount" in text_of(refused)


def test_the_reviewer_sees_the_ticket_beside_the_item(app, client, team):
    from workflows.models import ReviewItem

    sign_in(client, "alex")
    location = draft(client, "Your refund was processed yesterday.", customer_message=MESSAGE).location
    reply_id = int(location.rsplit("/", 1)[1])
    with app.app_context():
        item = db.session.scalar(select(ReviewItem).where(ReviewItem.object_id == reply_id))
    post(client, "/sign-out")
    sign_in(client, "lucia")
    page = client.get(f"/review/{item.id}")
    html = page.get_data(as_text=True)
    assert 'id="ticket-context"' in html and MESSAGE in html
    text = text_of(page)
    assert "Ticket T-7" in text and "Agent: alex" in text and "Channel: email" in text
    assert 'id="context-message-translation"' not in html  # lucia reads Spanish
