"""Demo reply templates with human translations, plural variants included."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from workflows.locales import PluralRule, plural_rule
from workflows.macros.templates import create_template, save_translation
from workflows.models import ReplyTemplate, TemplateState

_REFUND_ONE = ("We have processed your refund of {refund_amount} for order {order_id} ({count} item). The money "
               "should reach your account by {delivery_date}. If it has not arrived by then, simply reply to "
               "this message and we will look into it.")
_ES_REFUND_OTHER = ("Hemos tramitado el reembolso de {refund_amount} correspondiente a su pedido {order_id} "
                    "({count} artículos). El dinero debería llegar a su cuenta a más tardar el {delivery_date}. "
                    "Si para entonces no lo ha recibido, responda a este mensaje y lo revisaremos.")
_ES_RESET_OTHER = ("Hemos recibido una solicitud para restablecer la contraseña de su cuenta. Utilice este enlace en "
                   "un plazo de {expiry_hours} horas:\n{reset_link}\n\nSi no ha hecho esta solicitud, puede ignorar "
                   "este mensaje; su contraseña no cambiará.")
_RESET_ONE = ("We received a request to reset the password of your account. Please use this link within "
              "{expiry_hours} hour:\n{reset_link}\n\nIf you did not ask for this, you can ignore this message; "
              "your password stays the same.")

# The plural rules the demo translations were written for: plural forms are given per rule, and seeding
# stores the variant that matches the locale's current rule (else the first, with the rule it was written
# for, so it stays valid and `tolk catalogs check` lists it). Babel 2.18 gave Spanish two forms; CLDR,
# and Babel from 2.19, add "many" for round millions ("1.000.000 de artículos").
ONE_FORM = PluralRule(1, "0")
ONE_OTHER = PluralRule(2, "(n != 1)")
POLISH = PluralRule(3, "(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2)")
ONE_MANY_OTHER = PluralRule(3, "(n == 1 ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2)")

DEMO_TEMPLATES: list[dict[str, Any]] = [
    {
        "id": "refund-confirmation", "title": "Refund confirmation", "critical": True,
        "source_text": _REFUND_ONE,
        "source_plural": _REFUND_ONE.replace("({count} item)", "({count} items)"),
        "plural_variable": "count",
        "comment": "Sent when a refund has been issued. {refund_amount} is formatted money; {delivery_date} is "
                   "the date the money reaches the customer's account (not a parcel delivery); {count} is the "
                   "number of refunded items.",
        "translations": {
            "de": ("reviewed", {ONE_OTHER: [
                "Wir haben Ihre Rückerstattung über {refund_amount} für die Bestellung {order_id} ({count} Artikel) "
                "veranlasst. Das Geld sollte bis zum {delivery_date} auf Ihrem Konto eingehen. Falls es bis "
                "dahin nicht angekommen ist, antworten Sie einfach auf diese Nachricht und wir kümmern uns darum.",
            ] * 2}),
            "nl": ("reviewed", {ONE_OTHER: [
                "We hebben uw terugbetaling van {refund_amount} voor bestelling {order_id} ({count} artikel) "
                "verwerkt. Het bedrag staat uiterlijk op {delivery_date} op uw rekening. Staat het er dan nog "
                "niet? Reageer dan op dit bericht, dan zoeken we het voor u uit.",
                "We hebben uw terugbetaling van {refund_amount} voor bestelling {order_id} ({count} artikelen) "
                "verwerkt. Het bedrag staat uiterlijk op {delivery_date} op uw rekening. Staat het er dan nog "
                "niet? Reageer dan op dit bericht, dan zoeken we het voor u uit.",
            ]}),
            # Polish: 1 produkt, 2-4 (22-24 ...) produkty, 5+ (and 12-14) produktów; "Państwa" keeps
            # the formal address without knowing the customer's gender.
            "pl": ("reviewed", {POLISH: [
                "Zwrot w wysokości {refund_amount} za zamówienie {order_id} ({count} produkt) został "
                "zrealizowany. Środki powinny wpłynąć na Państwa konto do {delivery_date}. Jeśli do tego dnia "
                "nie wpłyną, prosimy po prostu odpowiedzieć na tę wiadomość – sprawdzimy, co się stało.",
                "Zwrot w wysokości {refund_amount} za zamówienie {order_id} ({count} produkty) został "
                "zrealizowany. Środki powinny wpłynąć na Państwa konto do {delivery_date}. Jeśli do tego dnia "
                "nie wpłyną, prosimy po prostu odpowiedzieć na tę wiadomość – sprawdzimy, co się stało.",
                "Zwrot w wysokości {refund_amount} za zamówienie {order_id} ({count} produktów) został "
                "zrealizowany. Środki powinny wpłynąć na Państwa konto do {delivery_date}. Jeśli do tego dnia "
                "nie wpłyną, prosimy po prostu odpowiedzieć na tę wiadomość – sprawdzimy, co się stało.",
            ]}),
            # Estonian: "1 toode", then the partitive "2 toodet". The date follows "kuupäeval" so its
            # nominative month name ("5. märts 2026") reads correctly.
            "et": ("reviewed", {ONE_OTHER: [
                "Teie tellimuse {order_id} ({count} toode) tagasimakse summas {refund_amount} on tehtud. Raha "
                "laekub teie kontole hiljemalt kuupäeval {delivery_date}. Kui raha selleks ajaks kohale ei "
                "jõua, vastake lihtsalt sellele sõnumile ja me selgitame asja välja.",
                "Teie tellimuse {order_id} ({count} toodet) tagasimakse summas {refund_amount} on tehtud. Raha "
                "laekub teie kontole hiljemalt kuupäeval {delivery_date}. Kui raha selleks ajaks kohale ei "
                "jõua, vastake lihtsalt sellele sõnumile ja me selgitame asja välja.",
            ]}),
            "zh-Hant": ("reviewed", {ONE_FORM: [
                "我們已為您的訂單 {order_id}（共 {count} 件商品）辦理退款，金額為 {refund_amount}。款項預計於 "
                "{delivery_date} 前退回您的帳戶。若屆時仍未收到，請直接回覆此訊息，我們將為您查明原因。",
            ]}),
            "es": ("reviewed", {
                ONE_MANY_OTHER: [_ES_REFUND_OTHER.replace("artículos", "artículo"),
                                 _ES_REFUND_OTHER.replace("artículos", "de artículos"), _ES_REFUND_OTHER],
                ONE_OTHER: [_ES_REFUND_OTHER.replace("artículos", "artículo"), _ES_REFUND_OTHER],
            }),
        },
    },
    {
        "id": "shipping-delay", "title": "Shipping delay", "critical": False,
        "source_text": "We are sorry: your order {order_id} has been delayed. We now expect to deliver it on "
                       "{delivery_date}. You do not need to do anything; we will let you know if anything changes.",
        "comment": "{delivery_date} is the new expected delivery date of the parcel.",
        "translations": {
            "de": ("reviewed", [
                "Es tut uns leid: Ihre Bestellung {order_id} verzögert sich. Wir rechnen jetzt mit der Zustellung "
                "am {delivery_date}. Sie müssen nichts weiter tun; falls sich etwas ändert, informieren wir Sie.",
            ]),
            "es": ("reviewed", [
                "Lo sentimos: su pedido {order_id} se ha retrasado. Ahora prevemos entregarlo el {delivery_date}. "
                "No tiene que hacer nada; le avisaremos si hay algún cambio.",
            ]),
            "nl": ("translated", [
                "Het spijt ons: uw bestelling {order_id} is vertraagd. We verwachten deze nu op {delivery_date} te "
                "bezorgen. U hoeft niets te doen; we laten het u weten als er iets verandert.",
            ]),
            "pl": ("fuzzy", [
                "Przepraszamy: Twoje zamówienie {order_id} jest opóźnione. Przewidujemy dostawę w dniu "
                "{delivery_date}. Nie musisz nic robić; poinformujemy Cię, jeśli coś się zmieni.",
            ], "Machine pre-fill: uses the informal 'Ty'; switch to 'Państwo' when reviewing."),
        },
    },
    {
        "id": "password-reset", "title": "Password reset", "critical": True,
        "source_text": _RESET_ONE,
        "source_plural": _RESET_ONE.replace("{expiry_hours} hour:", "{expiry_hours} hours:"),
        "plural_variable": "expiry_hours",
        "comment": "Security wording: keep the link on its own line. {expiry_hours} is how long the link works.",
        "translations": {
            "de": ("reviewed", {ONE_OTHER: [
                "Wir haben eine Anfrage erhalten, das Passwort Ihres Kontos zurückzusetzen. Bitte verwenden Sie "
                "innerhalb von {expiry_hours} Stunde diesen Link:\n{reset_link}\n\nFalls Sie das nicht angefordert "
                "haben, können Sie diese Nachricht ignorieren; Ihr Passwort bleibt unverändert.",
                "Wir haben eine Anfrage erhalten, das Passwort Ihres Kontos zurückzusetzen. Bitte verwenden Sie "
                "innerhalb von {expiry_hours} Stunden diesen Link:\n{reset_link}\n\nFalls Sie das nicht "
                "angefordert haben, können Sie diese Nachricht ignorieren; Ihr Passwort bleibt unverändert.",
            ]}),
            "es": ("reviewed", {
                ONE_MANY_OTHER: [_ES_RESET_OTHER.replace("horas:", "hora:"),
                                 _ES_RESET_OTHER.replace("horas:", "de horas:"), _ES_RESET_OTHER],
                ONE_OTHER: [_ES_RESET_OTHER.replace("horas:", "hora:"), _ES_RESET_OTHER],
            }),
            # "w ciągu" takes the genitive: 1 godziny, 2/5/24 godzin.
            "pl": ("reviewed", {POLISH: [
                "Otrzymaliśmy prośbę o zresetowanie hasła do Państwa konta. Prosimy skorzystać z tego linku w "
                "ciągu {expiry_hours} godziny:\n{reset_link}\n\nJeśli prośba nie pochodzi od Państwa, prosimy "
                "zignorować tę wiadomość – hasło pozostanie bez zmian.",
                "Otrzymaliśmy prośbę o zresetowanie hasła do Państwa konta. Prosimy skorzystać z tego linku w "
                "ciągu {expiry_hours} godzin:\n{reset_link}\n\nJeśli prośba nie pochodzi od Państwa, prosimy "
                "zignorować tę wiadomość – hasło pozostanie bez zmian.",
                "Otrzymaliśmy prośbę o zresetowanie hasła do Państwa konta. Prosimy skorzystać z tego linku w "
                "ciągu {expiry_hours} godzin:\n{reset_link}\n\nJeśli prośba nie pochodzi od Państwa, prosimy "
                "zignorować tę wiadomość – hasło pozostanie bez zmian.",
            ]}),
        },
    },
]


def _demo_forms(given: list[str] | dict[PluralRule, list[str]],
                locale: str) -> tuple[list[str], PluralRule | None]:
    if isinstance(given, list):
        return given, None
    current = plural_rule(locale)
    for rule, forms in given.items():
        if rule.same_as(current):
            return forms, current
    return next(iter(given.values())), next(iter(given))


def seed_demo_templates(session: Session) -> None:
    """Create the demo templates and their human translations where missing (idempotent)."""
    for spec in DEMO_TEMPLATES:
        template = session.get(ReplyTemplate, spec["id"])
        if template is None:
            template = create_template(session, {k: v for k, v in spec.items() if k != "translations"})
        elif template.source_text != spec["source_text"]:
            continue  # edited since: demo translations of the old text would only be outdated
        have = {r.locale for r in template.translations}
        for locale, (state, given, *note) in spec["translations"].items():
            if locale not in have:
                forms, rule = _demo_forms(given, locale)
                save_translation(session, template, locale, forms, state=TemplateState(state),
                                 reviewed_by="demo" if state == "reviewed" else None,
                                 translator_comment=note[0] if note else None, rule=rule)
    session.flush()
