"""Where a translated reply goes: released at once, confirmed by the agent, or a native reviewer.

``decide`` applies the rules in order and keeps every reason that fired; the strictest decision wins
(human_translation > native_review > agent_confirm > released). The rubric, the signals and how to
re-measure them are in docs/routing.md. The rules, with their defaults:

- no engine serves the pair -> a native translator writes it (human_translation);
- content (``CONTENT_RULES``, read in English, Dutch, German and Spanish): money, cancellations,
  returns and warranties, policy and plan terms, account access and security, personal data, safety
  and medicine, dates and periods -> native_review; each locale profile's ``critical_terms`` and
  amounts, percentages, dates and periods are also read in the translation;
- context: a short confirmation ("Yes, done.") of a customer's critical request -> native_review;
- the critical-content classifier (``workflows/data/critical_classifier.json``): a score at or above
  its threshold -> native_review, in its grey zone -> agent_confirm; text the rules cannot read
  (another language, no words) -> agent_confirm;
- quality: a critical automatic check, a failed-over engine, the language's recent MQM score below the
  locale's threshold, a locale that always wants review -> native_review; major findings and an
  uncertain customer language -> agent_confirm;
- customer and channel: VIP or escalated tickets, public social replies -> native_review;
- a reviewed translation (human template or human-approved TM match) skips the content and quality
  rules only when no automatic check found something critical.

Released content is still sampled into the review queue (``spot_check``) at the locale's sample rate.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from workflows.classifier import CriticalClassifier, load_classifier
from workflows.models import Decision

STRICTNESS = {Decision.RELEASED: 0, Decision.AGENT_CONFIRM: 1, Decision.NATIVE_REVIEW: 2,
              Decision.HUMAN_TRANSLATION: 3}

#: The agent languages the content rules and the classifier read.
RULE_LANGUAGES = ("en", "nl", "de", "es")


def N_(msgid: str) -> str:
    """Mark a reason for the UI catalogs (pybabel's default keyword); translated when shown."""
    return msgid


_NUM_WORDS = (r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|"
              r"fifty|hundred|a couple of|a few|several|twee|drie|vier|vijf|zes|tien|zwei|drei|vier|fünf|sechs|"
              r"zehn|vierzehn|dos|tres|cuatro|cinco|diez|quince|treinta)")
_MONTHS = (r"(?:jan(?:uary|uari|uar)?|feb(?:ruary|ruari|ruar)?|mar(?:ch)?|maart|märz|apr(?:il)?|may|mei|mai|"
           r"june?|juni|july?|juli|aug(?:ust|ustus)?|sep(?:t|tember)?|oct(?:ober)?|okt(?:ober)?|nov(?:ember)?|"
           r"dec(?:ember)?|dez(?:ember)?|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|"
           r"noviembre|diciembre)")
_WEEKDAYS = (r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|maandag|dinsdag|woensdag|donderdag|"
             r"vrijdag|zaterdag|zondag|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|lunes|martes|"
             r"mi[ée]rcoles|jueves|viernes|s[áa]bado|domingo)")
_UNITS = (r"(?:(?:working|business|calendar|werk|banking)\s?)?(?:days?|weeks?|months?|years?|hours?|hrs?|minutes?|"
          r"mins?|(?:werk)?dag(?:en)?|weken|week|maand(?:en)?|jaar|jaren|uur|(?:werk)?tag(?:e|en)?|wochen?|monat(?:e|en)?|"
          r"jahr(?:e|en)?|stunden?|d[íi]as?(?: (?:h[áa]bil(?:es)?|laborables?|naturales?))?|semanas?|mes(?:es)?|a[ñn]os?|"
          r"horas?|h)\b")
_CURRENCY = r"(?:€|\$|£|¥|₹|zł|kr|EUR|USD|GBP|PLN|CHF|SEK|NOK|DKK|JPY|CNY|TWD)"
_CURRENCY_WORD = r"(?:euros?|pounds?|quid|dollars?|bucks|cents?|pence|eurocent)"


@dataclass(frozen=True)
class ContentRule:
    """One content signal: a rubric kind, what it sends the reply to, and why, in the agent's words."""

    kind: str
    decision: Decision
    message: str  # with %(words)s: the words that fired
    pattern: str
    target_side: bool = False  # read in the translation too (language-neutral signals)


#: Critical content by rubric kind, in the agent languages Tolk ships (English, Dutch, German, Spanish).
_RULES: tuple[tuple[str, ContentRule], ...] = (
    ("amount", ContentRule(
        "money", Decision.NATIVE_REVIEW, N_("States an amount of money (%(words)s)"),
        rf"(?:{_CURRENCY}\s?\d[\d.,]*|(?<![\w.,])\d[\d.,]*\s?(?:{_CURRENCY}|{_CURRENCY_WORD})(?!\w)|"
        rf"\b(?:{_NUM_WORDS}|\w+)\s(?:{_CURRENCY_WORD})\b|"
        r"(?<![\d.,:])\d{1,3}(?:[.,]\d{3})*[.,]\d{2}(?![\d.,]|\s?(?:am|pm|uhr|h)\b)|"
        r"\b\d[\d.,]*\s(?:a|per|/|each|pro|por|al|per)\s(?:month|year|night|person|user|seat|week|maand|monat|mes)\b)",
        target_side=True)),
    ("percentage", ContentRule(
        "money", Decision.NATIVE_REVIEW, N_("States a percentage (%(words)s)"),
        rf"(?:\d[\d.,]*\s?%|\b(?:\d[\d.,]*|{_NUM_WORDS}|\w+)\s?(?:percent|per\s?cent|procent|prozent|por ciento)\b)",
        target_side=True)),
    ("money", ContentRule(
        "money", Decision.NATIVE_REVIEW,
        N_("Talks about money: a payment, charge, price, fee, refund or invoice (%(words)s)"),
        r"\b(?:refund\w*|reimburs\w*|money(?: back)?|chargeback|(?<!it )(?<!while )(?:re)?charged?s?(?:\s(?:to\s)?(?:your|ur|the)\s"
        r"(?:card|account))?(?!\s(?:cable|port))|charging(?= you)|pa(?:y|ys|id|ying)\b|payments?|paypal|klarna|"
        r"direct debit|standing order|debit\w*|bill(?:ed|ing|s)?\b|pric(?:e|es|ing)\b|costs?\b|fees?\b|invoic\w*|"
        r"credit\w*|discount\w*|voucher\w*|coupon\w*|promo code|gift card|balance|tax(?:es)?\b|vat\b|overdraft|"
        r"interest\b|apr\b|indemniz\w*|compensaci[óo]n|entschädig\w*|\w*gutschein\w*|deposit\w*|instal+ments?|funds|cash|compensat\w*|goodwill|free (?:of charge|shipping|"
        r"delivery)|price match|salary|loan|repayment|"
        r"geld|terugbeta\w*|terug(?:ge)?stort\w*|terugstorten|gecrediteerd|teruggeboekt|afgeschreven|afschrij\w*|"
        r"beta(?:al|l)\w*|factu\w*|kosten|prijs\w*|bedrag\w*|korting\w*|rente|vergoeding\w*|maandbedrag|"
        r"\w*zahl(?:ung|en|t)\w*|bezahl\w*|\w*rechnung\w*|\w*gebühr\w*|\w*preis\w*|\w*betrag\w*|gutschr\w*|gutgeschrieben|"
        r"\w*erstatt\w*|\w*kosten|"
        r"rabatt\w*|abbuch\w*|abgebucht|lastschrift\w*|zins\w*|berechnet|versandkosten|"
        r"pag(?:o|os|ar|ado|ue)\b|cobr\w*|factur\w*|precio\w*|coste?s?\b|importe|reembols\w*|abono|cargo|"
        r"comisi[óo]n|descuento|cup[óo]n|cuota|inter[ée]s|recibo|dinero|gastos de env[íi]o|devuelto)\b"
    )),
    ("cancellation", ContentRule(
        "cancellation", Decision.NATIVE_REVIEW, N_("Cancels or ends something the customer has (%(words)s)"),
        r"\b(?:cancel\w*|terminat\w*|(?:close|closed|closing|shut down) (?:your|ur|the|my|this) account|account (?:will be )?closed|"
        r"won'?t (?:renew|convert)|(?:auto-?)?renew\w*|downgrad\w*|deactivat\w*|unsubscrib\w*|(?:contract|"
        r"subscription|plan|sub) (?:ends?|will end|is cancelled)|(?:end|leave) (?:your|ur|the) contract|"
        r"opzeg\w*|opgezegd|annuleer\w*|geannuleerd|stopzet\w*|beëindig\w*|stopt? (?:na|per)|"
        r"kündig\w*|gekündigt|storn\w*|beend\w*|(?:endet|läuft) (?:zum|aus)|"
        r"baja|anul\w*|annul\w*|termina (?:al|el)|rescind\w*|disconnect\w*|opgeheven|opheffen|"
        r"stop(?:ped)? (?:the|that|this|your|ur) (?:order|service|line|subscription|payment|direct debit))\b"
    )),
    ("returns_warranty", ContentRule(
        "returns_warranty", Decision.NATIVE_REVIEW, N_("Talks about a return or warranty (%(words)s)"),
        r"\b(?:return\w*(?! (?:an? |the )?(?:\d+ )?(?:error|value|code|result|status))|send (?:it|them|the \w+) back|bring it back|exchang\w*|warrant\w*|guarantee\w*|claims?\b|"
        r"retour\w*|terug ?stur\w*|ruil\w*|garantie\w*|zurück(?:send|schick)\w*|rücksend\w*|umtausch\w*|"
        r"gewährleistung|reklamation|devol\w*|garant[íi]a)\b"
    )),
    ("policy_terms", ContentRule(
        "policy_terms", Decision.NATIVE_REVIEW, N_("States policy, contract or plan terms (%(words)s)"),
        r"\b(?:polic(?:y|ies)|terms|conditions|t&cs?|contract\w*|(?<!travel )(?<!holiday )plans?\b|tarif\w*|tariff\w*|minimum term|"
        r"notice period|notice|sla\b|fair use\w*|non-refundable|non-changeable|limited to|maximum|max\b|"
        r"minim(?:um|al|aal)|not allowed|excluded|included|includes|membership|\d+\s?(?:kg|gb|tb)\b|"
        r"voorwaarden|beleid|abonnement\w*|verleng\w*|bundel|looptijd|restitueerbaar|uitgesloten|"
        r"agb|bedingung\w*|richtlinie\w*|vertrag\w*|laufzeit|mindestlaufzeit|verläng\w*|erstattungsfähig|"
        r"ausgeschlossen|enthalten|\w*vertrag\w*|legal\w*|lawyer|attorney|court|lawsuit|liabilit\w*|abogado|juridisch|"
        r"advocaat|rechtlich\w*|datenschutz|anwalt|gericht\w*|condiciones|pol[íi]tica|contrato|permanencia|reembolsable|incluye|renov\w*|"
        r"final sale|non-returnable|can(?:no|')t be (?:changed|refunded|returned|exchanged|transferred)|"
        r"(?:under|over|above|below|from|unter|über|onder|boven|menores de|mayores de) \d+(?:s|\s?(?:years?|jaar|jahren?|años))?)\b"
    )),
    ("account_security", ContentRule(
        "account_security", Decision.NATIVE_REVIEW, N_("Concerns account access or security (%(words)s)"),
        r"\b(?:password\w*|passcode|(?:your|ur|the|new|card|sim) pin\b|pin ?(?:code|number)\b|puk\b|2fa|two[- ]factor|two[- ]step|2-step|mfa|sso|one[- ]time code|"
        r"(?:verification|security) (?:code|answer|question)|otp|(?:un)?lock(?:ed|s)?\b|blocked|block (?:the|your|"
        r"ur|it)|freez\w*|frozen|suspend\w*|revok\w*|hack\w*|phishing|scam\w*|fraud\w*|unauthori[sz]ed|"
        r"suspicious|unusual activity|breach\w*|stolen|compromis\w*|new device|sessions?\b|api key|access|"
        r"admin\w*|owner\w*|transfer\w*|beneficiar\w*|payee|"
        r"wachtwoord\w*|pincode|geblokkeerd|blokker\w*|inlogpoging\w*|tweestapsverificatie|verdacht\w*|fraude|"
        r"toegang|\w*passwort\w*|\w*kennwort\w*|gesperrt|sperr\w*|entsperr\w*|zwei-faktor\w*|betrug\w*|verdächtig\w*|"
        r"zugang\w*|zugriff\w*|contraseña|clave|bloque\w*|desbloque\w*|verificaci[óo]n|c[óo]digo de|sospechos\w*|"
        r"acceso|account pin|(?:port-out|transfer|account|sim) pin|(?:request|share|shared|sharing|send)\w* (?:this|the|that|a|your) "
        r"code|don'?t share|never share|port(?:ing|-out| out| your number)|"
        r"for (?:your|ur) security|security reasons|sicherheitsgründen|por seguridad|"
        r"veiligheidsredenen|(?:new|old|unknown) device|(?:new|replacement) card|log-?in (?:is|was) you|"
        r"(?:log|sign)-?in (?:attempt|request)s?)\b"
    )),
    ("personal_data", ContentRule(
        "personal_data", Decision.NATIVE_REVIEW,
        N_("Asks for, changes or deletes personal data (%(words)s)"),
        r"\b(?:id card|identity|(?<!order )(?<!booking )\bid\b|passports?|driving licen[cs]e|photo id|proof of (?:address|identity|income)|"
        r"date of birth|dob|birth ?date|full names?|surname|(?:home|billing|delivery|full|postal) address|"
        r"address|postcode|zip code|(?:phone|mobile) number|bank details|iban|account number|sort code|"
        r"card numbers?|last (?:4|four) digits|ssn|social security|tax id|national insurance|payslips?|"
        r"utility bill|selfie|personal (?:data|details|information)|(?:your|ur|all|customer|user) data\b(?! usage| plan| allowance)|"
        r"data (?:export|request|protection|deletion)|(?:delet|remov|eras|wip|verwijder|lösch|borr|elimin)\w*(?:\W+\w+){0,4}?"
        r"\W+(?:account|data|details|profile|record|workspace|files|information|number|address|card|gegevens|"
        r"daten|konto|cuenta|datos)|(?:account|data|workspace|"
        r"files)\b(?:\W+\w+){0,5}?\W+(?:deleted|removed|erased|gone)|anonymi[sz]\w*|gdpr|verif(?:y|ied|ication)|"
        r"gegevens|persoonsgegevens|identiteitsbewijs|paspoort|geboortedatum|loonstrook|adres\b|verwijderd\b|"
        r"bsn|personenbezogen\w*|daten\b|ausweis\w*|personalausweis\w*|reisepass|geburtsdatum|adresse|"
        r"lieferadresse|gehaltsabrechnung\w*|lösch\w*|gelöscht|dni\b|nie\b|pasaporte|fecha de nacimiento|"
        r"datos|direcci[óo]n|n[óo]minas?|elimin\w*|borrad\w*|verwijder (?:mijn|je|alle|uw)|"
        r"(?:chang|updat|correct)\w* (?:the |your |ur )?(?:account )?(?:e-?mail|phone number|name|address|surname|details)|"
        r"account e-?mail|account details|e-?mail address|e-?mail on (?:your|ur|the) account|e-mailadres|e-mail-adresse|"
        r"correo(?: electr[óo]nico)? (?:con|de|del)|username|user name|zip ?code|zip)\b(?! (?:gets?|is|was) stuck)"
    )),
    ("data_loss", ContentRule(
        "personal_data", Decision.NATIVE_REVIEW, N_("Could make the customer lose data (%(words)s)"),
        r"\b(?:factory reset|reset to factory|erase all|wip(?:e|ing) (?:your|the|ur|all)|restore\w*(?:\W+\w+){0,4}?"
        r"\W+(?:as new|backup)|back ?up (?:your|ur|all)|backups?|(?:lose|lost|losing) (?:all|your|ur|the) (?:data|"
        r"files|photos|contacts|messages|progress|history)|can(?:no|')t be (?:recovered|restored|undone)|"
        r"permanently|irreversibl\w*|gegevens (?:kwijt|verloren)|daten (?:gehen )?verloren|datos perdidos|"
        r"perder(?:ás|á)? (?:tus|los) datos)\b")),
    ("safety_medical", ContentRule(
        "safety_medical", Decision.NATIVE_REVIEW, N_("Concerns safety or health (%(words)s)"),
        r"\b(?:injur\w*|medical|medicine|medication|doctor|hospital|allerg\w*|recall\w*|hazard\w*|danger\w*|unsafe|"
        r"fire|burn\w*|smoke|overheat\w*|electric shock|shock|chok\w*|swallow\w*|poison\w*|salmonella|"
        r"emergenc\w*|999|112|911|evacuat\w*|rash|safety|safe to|stop using|(?:don'?t|do not) (?:use|touch|rely)|"
        r"collapse|wheelchair|mobility|disabilit\w*|pregnan\w*|medical assistance|gevaar\w*|brandgevaar|oververhit\w*|niet meer|arts|dokter|ziekenhuis|allergi\w*|letsel|"
        r"gewond|gefahr\w*|überhitz\w*|stromschlag\w*|verletz\w*|arzt|ärzt\w*|krankenhaus|notarzt|nicht mehr|"
        r"peligro\w*|incendio|sobrecalent\w*|quemadura|m[ée]dico|alergia|lesi[óo]n|herid\w*|deja de usar|"
        r"dejar de usar|emergencia\w*)\b"
    )),
    ("date", ContentRule(
        "dates_periods", Decision.NATIVE_REVIEW, N_("Gives a date or time the customer will rely on (%(words)s)"),
        rf"(?:\b\d{{4}}-\d{{2}}-\d{{2}}\b|(?<![\d.,])\d{{1,2}}[./-]\d{{1,2}}(?:[./-](?:\d{{4}}|\d{{2}}))?(?![.,]?\d)|"
        rf"\b\d{{1,2}}(?:st|nd|rd|th|\.|e|º)?(?:\s|-)(?:of\s|de\s)?{_MONTHS}\b(?:-\d{{2,4}})?|"
        rf"\b{_MONTHS}\.?\s\d{{1,2}}(?:st|nd|rd|th)?\b|\b(?:on|by|until|till|from|in|since|before|after|vanaf|tot|"
        rf"per|ab|bis|zum|desde|hasta|en|a partir de)\s(?:the\s)?{_MONTHS}\b|\b{_WEEKDAYS}\b|"
        r"\b(?:19|20)\d{2}\b|\b\d{1,2}[:.]\d{2}\s?(?:am|pm|uhr|h)?|\b\d{1,2}\s?(?:am|pm|uhr)\b|"
        r"\b(?:the\s)?\d{1,2}(?:st|nd|rd|th)\b|\bmidnight\b|\beod\b|übermorgen|"
        r"\b(?:by|before|until|till|no later than|latest|uiterlijk|spätestens|como muy tarde|antes de)\s"
        r"(?:the\s)?(?:end of (?:the\s)?(?:day|week|month|year|term|period)|tomorrow|tmrw|tonight|today|next \w+|"
        r"this \w+)\b|\bend of (?:the\s)?(?:day|week|month|year|"
        r"term|period|billing period|contract|notice period|laufzeit)\b|"
        r"\b(?:expir(?:es|y)\b|valid until|deadline|due|matur\w*|geldig tot|gültig bis|v[áa]lid[oa] hasta|vence|caduca))",
        target_side=True)),
    ("period", ContentRule(
        "dates_periods", Decision.NATIVE_REVIEW, N_("Gives a period the customer will rely on (%(words)s)"),
        rf"(?:\b\d+(?:[.,]\d+)?(?:\s?(?:-|–|to|tot|bis|a|y)\s?\d+)?\s?{_UNITS}|\b{_NUM_WORDS}\s{_UNITS}|"
        r"\b(?:within|after|for|binnen|innerhalb|dentro de) (?:an?|één|een|einer?|un[ao]?) "
        r"(?:day|week|month|year|dag|week|maand|jaar|tag|woche|monat|jahr|d[íi]a|semana|mes|año))(?! ago)",
        target_side=True)),
)
#: Critical content by signal name, in the agent languages Tolk ships (English, Dutch, German, Spanish).
CONTENT_RULES: dict[str, ContentRule] = dict(_RULES)
_COMPILED = {name: re.compile(rule.pattern, re.IGNORECASE) for name, rule in CONTENT_RULES.items()}

#: A short reply that only confirms what the customer asked ("Yes, done.", "Klaar", "Erledigt", "Hecho").
_CONFIRMATION = re.compile(
    r"^\W*(?:yes|yep|yeah|ya|yup|sure|ok|okay|done|all (?:done|set|sorted)|sorted|absolutely|of course|correct|"
    r"that'?s (?:right|correct|done|it)|exactly|no problem|consider it done|it'?s done|i'?ve done|i have done|"
    r"will do|right|ja|jep|klaar|gedaan|geregeld|is gebeurd|klopt|prima|erledigt|gemacht|genau|richtig|s[ií]|"
    r"hecho|listo|ya est[áa]|vale|correcto|claro|de acuerdo|perfecto)\b", re.IGNORECASE)
#: ... or that says it was done, anywhere in a short reply ("I've gone ahead and processed that for you").
_COMPLETION = re.compile(
    r"\b(?:done|sorted|taken care of|gone ahead|processed|completed|submitted|actioned|as (?:you )?requested|"
    r"as you asked|like you asked|(?:i|we)(?:'ve| have) (?:now |just )?(?:done|processed|completed|submitted|"
    r"updated|changed|removed|cancell?ed|sent|raised|issued|applied|set up|arranged|made|put through)|"
    r"verwerkt|bearbeitet|tramitad[oa]|procesad[oa])\b", re.IGNORECASE)
_CONFIRMATION_WORDS = 12
_CONTEXT_TURNS = 4  # how far back a confirmation may point: "Shall I cancel it?" - "yes pls" - "Done!"
_BARE_WORDS = 4  # "Yes, done.": nothing but the confirmation, so only its context can be judged


@dataclass
class Reason:
    """Why content was routed as it was; ``template`` and ``params`` let the UI show it in its language."""

    code: str
    decision: Decision
    message: str
    template: str | None = None
    params: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "decision": self.decision.value, "message": self.message}
        if self.template:
            out["template"], out["params"] = self.template, self.params
        return out


def reason(code: str, decision: Decision, template: str, **params: str) -> Reason:
    """A reason whose message is ``template`` filled with ``params`` (kept for translation in the UI)."""
    return Reason(code, decision, template % params, template, params)


@dataclass(frozen=True)
class Turn:
    """An earlier turn of the conversation."""

    author: str  # customer | agent
    text: str
    lang: str | None = None


@dataclass
class RoutingInput:
    """Everything the rules look at, gathered by the caller."""

    source_text: str
    source_lang: str
    target_lang: str
    channel: str
    engine: str | None  # None: no engine served the pair
    no_engine_message: str | None = None
    reviewed_translation: bool = False  # human template or human-approved TM
    findings: Sequence[dict[str, Any]] = ()
    failed_over: bool = False
    vip: bool = False
    escalated: bool = False
    detection_uncertain: bool = False
    recent_score: float | None = None
    quality_threshold: float | None = None
    always_review: bool = False
    critical_terms: Sequence[str] = ()
    review_on_failover: bool = True
    target_text: str | None = None  # the translation, read for locale terms, amounts, dates and periods
    customer_message: str | None = None
    thread: Sequence[Turn] = ()  # earlier turns, oldest first
    classifier: CriticalClassifier | None = None  # None: the shipped model


@dataclass
class RoutingDecision:
    decision: Decision
    reasons: list[Reason] = field(default_factory=list)


def _quote(text: str) -> str:
    return "'" + " ".join(text.split()) + "'"


def content_reasons(text: str, critical_terms: Sequence[str] = (), *, target: bool = False) -> list[Reason]:
    """Content rules that fire on ``text``: the agent's text, or (``target``) the translation."""
    reasons = []
    for name, rule in CONTENT_RULES.items():
        if target and not rule.target_side:
            continue
        m = _COMPILED[name].search(text)
        if m:
            code = f"content:{'target_' if target else ''}{name}"
            message = (N_("The translation gives an amount, percentage, date or period (%(words)s)") if target
                       else rule.message)
            reasons.append(reason(code, rule.decision, message, words=_quote(m.group(0))))
    for term in critical_terms:
        if term and re.search(rf"(?<!\w){re.escape(term)}(?!\w)", text, re.IGNORECASE):
            reasons.append(reason("content:target_locale_term" if target else "content:locale_term",
                                  Decision.NATIVE_REVIEW,
                                  N_("Contains %(words)s, which the customer's locale marks as critical"),
                                  words=_quote(term)))
    return reasons


def _critical_request(data: RoutingInput) -> tuple[str, Reason] | None:
    """The critical request this reply answers: the turns back to the customer's last real message."""
    turns = [(t.author, t.text) for t in data.thread]
    if data.customer_message:
        turns.append(("customer", data.customer_message))
    for author, text in reversed(turns[-_CONTEXT_TURNS:]):
        found = content_reasons(text)
        if found:
            return text, found[0]
        if author == "customer" and not is_confirmation(text):
            return None  # the customer's own request, and nothing critical in it
    return None


def is_confirmation(text: str, max_words: int = _CONFIRMATION_WORDS) -> bool:
    """A short reply that says yes or done, without a question."""
    return ("?" not in text and len(text.split()) <= max_words
            and (_CONFIRMATION.search(text) is not None or _COMPLETION.search(text) is not None))


def context_reasons(data: RoutingInput) -> list[Reason]:
    """A short confirmation of a critical request is as critical as the request."""
    if not is_confirmation(data.source_text):
        return []
    request = _critical_request(data)
    if request is None:
        return []
    text, found = request
    return [reason("context:confirms_request", Decision.NATIVE_REVIEW,
                   N_("Confirms the customer's request %(request)s, critical because of %(why)s"),
                   request=_quote(text[:120]), why=found.params.get("words", ""))]


def classifier_reasons(data: RoutingInput) -> list[Reason]:
    """The learned signal: critical above the threshold, uncertain in the grey zone, unreadable text."""
    words = re.findall(r"[^\W\d_]{2,}", data.source_text)
    if data.source_lang.split("-")[0] not in RULE_LANGUAGES or not words:
        return [reason("content:unreadable", Decision.AGENT_CONFIRM,
                       N_("The content rules cannot read this text (%(lang)s): the agent should confirm it"),
                       lang=data.source_lang)]
    if is_confirmation(data.source_text, _BARE_WORDS):
        if data.customer_message or data.thread:
            return []  # the context rule judged it: it confirms nothing critical
        return [reason("context:unknown", Decision.AGENT_CONFIRM,
                       N_("Confirms something (%(words)s) but the customer's message was not given"),
                       words=_quote(data.source_text))]
    model = data.classifier or load_classifier()
    score = model.score(data.source_text)
    if score >= model.threshold:
        return [reason("content:classifier", Decision.NATIVE_REVIEW,
                       N_("Reads like critical content (score %(score)s), like the replies reviewers hold"),
                       score=f"{score:.2f}")]
    if score >= model.grey_zone:
        return [reason("content:classifier_uncertain", Decision.AGENT_CONFIRM,
                       N_("Might be critical (score %(score)s): the agent should confirm it"),
                       score=f"{score:.2f}")]
    return []


def critical_content(data: RoutingInput) -> list[Reason]:
    """Every content signal: rules on both sides, the conversation, and the classifier."""
    reasons = content_reasons(data.source_text, data.critical_terms)
    if data.target_text:
        seen = {r.params.get("words") for r in reasons}
        reasons += [r for r in content_reasons(data.target_text, data.critical_terms, target=True)
                    if r.params.get("words") not in seen]
    reasons += context_reasons(data)
    if not reasons:
        reasons += classifier_reasons(data)
    return reasons


def decide(data: RoutingInput) -> RoutingDecision:
    """Apply the rules; the strictest decision wins and every reason is kept."""
    reasons: list[Reason] = []
    if data.engine is None:
        reasons.append(Reason("no_engine", Decision.HUMAN_TRANSLATION,
                              data.no_engine_message or f"no engine serves {data.source_lang} -> {data.target_lang}"))
    if data.vip:
        reasons.append(Reason("customer:vip", Decision.NATIVE_REVIEW, "VIP customer"))
    if data.escalated:
        reasons.append(Reason("customer:escalated", Decision.NATIVE_REVIEW, "escalated ticket"))
    if data.channel == "social":
        reasons.append(Reason("channel:public", Decision.NATIVE_REVIEW, "public social reply"))
    if data.detection_uncertain:
        reasons.append(Reason("language:uncertain", Decision.AGENT_CONFIRM,
                              "the customer's language was detected with low confidence"))
    critical = [f for f in data.findings if f.get("severity") == "critical"]
    if critical:
        # Whatever produced the text (engine, template, reviewed TM): a critical finding holds it.
        checks = sorted({f.get("check", "?") for f in critical})
        reasons.append(reason("quality:critical_check", Decision.NATIVE_REVIEW,
                              N_("Critical automatic check failed: %(checks)s"), checks=", ".join(checks)))
    if (not data.reviewed_translation or critical) and data.engine is not None:
        reasons += critical_content(data)
        major = [f for f in data.findings if f.get("severity") == "major"]
        if major:
            checks = sorted({f.get("check", "?") for f in major})
            reasons.append(Reason("quality:major_check", Decision.AGENT_CONFIRM,
                                  f"automatic check findings: {', '.join(checks)}"))
        if data.failed_over and data.review_on_failover:
            reasons.append(Reason("quality:failover", Decision.NATIVE_REVIEW,
                                  f"the preferred engine failed; {data.engine} translated instead"))
        if (data.recent_score is not None and data.quality_threshold is not None
                and data.recent_score < data.quality_threshold):
            reasons.append(Reason("quality:language_below_threshold", Decision.NATIVE_REVIEW,
                                  f"recent MQM score for {data.target_lang} is {data.recent_score:.1f}, "
                                  f"below {data.quality_threshold:.1f}"))
        if data.always_review:
            reasons.append(Reason("locale:always_review", Decision.NATIVE_REVIEW,
                                  f"{data.target_lang} content is always reviewed"))
    decision = max((r.decision for r in reasons), key=STRICTNESS.__getitem__, default=Decision.RELEASED)
    return RoutingDecision(decision, reasons)


def sampled(rate: float, rng: random.Random | None = None) -> bool:
    """Whether released content is drawn as a spot check (an unbiased sample)."""
    return rate > 0 and (rng or random).random() < rate
