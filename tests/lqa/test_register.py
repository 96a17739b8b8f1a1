"""The register check: real sentences in each language, formal and informal, against the profile's formality."""

from __future__ import annotations

import pytest

from lqa.checks import CHECKS, Segment, Severity, run_checks
from lqa.register import languages

# (language, informal sentence, formal sentence, neutral sentence)
SENTENCES = [
    ("es", "Eres bienvenido, tiene un día bueno.", "Puede usted reiniciar la aplicación cuando quiera.",
     "Gracias por esperar."),
    ("es", "Gracias Para vuestra paciencia", "Le enviaremos a usted un enlace nuevo.", "El pedido ya ha salido."),
    ("es", "¿Puedes reiniciar tu aplicación?", "¿Podría usted confirmar su dirección?", "La factura está adjunta."),
    ("ca", "Pots reiniciar la teva aplicació?", "Vostè pot reiniciar l'aplicació.", "La comanda ja ha sortit."),
    ("de", "Kannst du dein Passwort zurücksetzen?", "Können Sie Ihr Passwort zurücksetzen?",
     "Die Bestellung wurde gestern versandt."),
    ("de", "Wir schicken dir gleich einen neuen Link.", "Wir schicken Ihnen gleich einen neuen Link.",
     "Sie wurde gestern versandt."),
    ("nl", "Kun je je wachtwoord opnieuw instellen?", "Kunt u uw wachtwoord opnieuw instellen?",
     "De bestelling is gisteren verzonden."),
    ("nl", "Bedankt voor jouw geduld.", "Bedankt voor uw geduld.", "Bedankt voor het wachten."),
    ("fr", "Tu peux redémarrer ton application.", "Vous pouvez redémarrer votre application.",
     "La commande a été expédiée hier."),
    ("it", "Puoi riavviare la tua applicazione?", "Può riavviare la Sua applicazione?",
     "L'ordine è stato spedito ieri."),
    ("pt", "Tu podes reiniciar a tua aplicação.", "O senhor pode reiniciar a aplicação.",
     "A encomenda foi enviada ontem."),
    ("pl", "Czy możesz zrestartować swoją aplikację?", "Czy Pan może zrestartować aplikację?",
     "Zamówienie zostało wysłane wczoraj."),
    ("pl", "Dziękujemy za twoją cierpliwość.", "Dziękujemy Pani za cierpliwość.", "Dziękujemy za cierpliwość."),
    ("et", "Kas sa saad rakenduse taaskäivitada?", "Kas te saate rakenduse taaskäivitada? Aitäh teile.",
     "Tellimus saadeti eile teele."),
    ("zh", "你可以重新啟動應用程式。", "您可以重新啟動應用程式。", "訂單已於昨天寄出。"),
]


def register_findings(text: str, lang: str, formality: str | None):
    segment = Segment("Thank you for waiting.", text, "en", lang, formality=formality)
    return [f for f in run_checks(segment) if f.check == "register"]


@pytest.mark.parametrize(("lang", "informal", "formal", "neutral"), SENTENCES)
def test_informal_address_in_a_formal_profile_is_a_major_finding(lang, informal, formal, neutral):
    [finding] = register_findings(informal, lang, "formal")
    assert finding.severity == Severity.MAJOR
    assert finding.data == {"expected": "formal", "found": "informal"}
    assert finding.spans and all(informal[a:b].strip() for a, b in finding.spans)


@pytest.mark.parametrize(("lang", "informal", "formal", "neutral"), SENTENCES)
def test_formal_address_in_an_informal_profile_is_a_major_finding(lang, informal, formal, neutral):
    if lang == "et":
        formal = formal.split("?")[1]  # "te" alone is also a plural; "teile" is the polite form
    [finding] = register_findings(formal, lang, "informal")
    assert finding.severity == Severity.MAJOR
    assert finding.data["found"] == "formal"


@pytest.mark.parametrize(("lang", "informal", "formal", "neutral"), SENTENCES)
def test_matching_and_neutral_sentences_pass(lang, informal, formal, neutral):
    assert register_findings(formal, lang, "formal") == []
    assert register_findings(informal, lang, "informal") == []
    assert register_findings(neutral, lang, "formal") == []
    assert register_findings(neutral, lang, "informal") == []


def test_the_finding_names_the_words_and_the_profile():
    [finding] = register_findings("Gracias Para vuestra paciencia, eres muy amable.", "es", "formal")
    assert finding.message == "informal address ('vuestra', 'eres') where the es profile is formal"
    assert finding.category == "style"


@pytest.mark.parametrize("formality", [None, "default"])
def test_without_a_formal_or_informal_profile_nothing_is_checked(formality):
    assert register_findings("Eres bienvenido.", "es", formality) == []


def test_capitalised_polite_forms_count_only_inside_a_sentence():
    assert register_findings("Sie ist bereit. Ihr Paket kommt morgen.", "de", "informal") == []
    assert register_findings("Wir danken Ihnen.", "de", "informal") != []
    assert register_findings("Wir haben mit ihnen gesprochen.", "de", "informal") == []


def test_placeholders_and_urls_are_not_read_as_address():
    text = "Siga el enlace https://shop.example/tu/pedido?te=1 para {tu_pedido}."
    assert register_findings(text, "es", "formal") == []


def test_languages_without_address_data_are_left_alone():
    assert "ja" not in languages()
    assert register_findings("ありがとうございます。", "ja", "formal") == []
    assert "register" in CHECKS
