"""The content rules the router reads: critical content by signal, and what a bare confirmation looks like.

The rule book is ``workflows.routing``'s docstring; these are its tables, in the agent languages Tolk ships.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from workflows.models import Decision

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
COMPILED_RULES = {name: re.compile(rule.pattern, re.IGNORECASE) for name, rule in CONTENT_RULES.items()}

#: A short reply that only confirms what the customer asked ("Yes, done.", "Klaar", "Erledigt", "Hecho").
CONFIRMATION = re.compile(
    r"^\W*(?:yes|yep|yeah|ya|yup|sure|ok|okay|done|all (?:done|set|sorted)|sorted|absolutely|of course|correct|"
    r"that'?s (?:right|correct|done|it)|exactly|no problem|consider it done|it'?s done|i'?ve done|i have done|"
    r"will do|right|ja|jep|klaar|gedaan|geregeld|is gebeurd|klopt|prima|erledigt|gemacht|genau|richtig|s[ií]|"
    r"hecho|listo|ya est[áa]|vale|correcto|claro|de acuerdo|perfecto)\b", re.IGNORECASE)
#: ... or that says it was done, anywhere in a short reply ("I've gone ahead and processed that for you").
COMPLETION = re.compile(
    r"\b(?:done|sorted|taken care of|gone ahead|processed|completed|submitted|actioned|as (?:you )?requested|"
    r"as you asked|like you asked|(?:i|we)(?:'ve| have) (?:now |just )?(?:done|processed|completed|submitted|"
    r"updated|changed|removed|cancell?ed|sent|raised|issued|applied|set up|arranged|made|put through)|"
    r"verwerkt|bearbeitet|tramitad[oa]|procesad[oa])\b", re.IGNORECASE)
CONFIRMATION_WORDS = 12
CONTEXT_TURNS = 4  # how far back a confirmation may point: "Shall I cancel it?" - "yes pls" - "Done!"
BARE_WORDS = 4  # "Yes, done.": nothing but the confirmation, so only its context can be judged
