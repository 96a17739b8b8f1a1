"""The demo termbase: the brand, its products and support vocabulary in the demo languages."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from glossaries.models import Glossary
from glossaries.store import save_termbase
from glossaries.terms import Concept, Term, Termbase

DEMO_TERMS: tuple[tuple[bool, dict[str, str], dict[str, list[str]]], ...] = (
    # (do_not_translate, {lang: term}, {lang: forbidden variants})
    (True, {"en": "Tolk Cloud"}, {}),
    (True, {"en": "Tolk Pro"}, {"en": ["Tolk Premium"]}),
    (False, {"en": "refund", "es": "reembolso", "ca": "reemborsament", "de": "Rückerstattung",
             "nl": "terugbetaling", "pl": "zwrot", "et": "tagasimakse", "zh-Hant": "退款"},
     {"es": ["devolución de dinero"]}),
    (False, {"en": "order", "es": "pedido", "ca": "comanda", "de": "Bestellung", "nl": "bestelling",
             "pl": "zamówienie", "et": "tellimus", "zh-Hant": "訂單"}, {}),
    (False, {"en": "subscription", "es": "suscripción", "ca": "subscripció", "de": "Abonnement",
             "nl": "abonnement", "pl": "subskrypcja", "et": "tellimus", "zh-Hant": "訂閱"}, {}),
)


def demo_termbase() -> Termbase:
    concepts = []
    for i, (dnt, terms, forbidden) in enumerate(DEMO_TERMS, start=1):
        items = [Term(lang=lang, text=text, part_of_speech="properNoun" if dnt else "noun")
                 for lang, text in terms.items()]
        items += [Term(lang=lang, text=text, status="forbidden") for lang, texts in forbidden.items()
                  for text in texts]
        concepts.append(Concept(terms=items, id=f"c{i}", do_not_translate=dnt))
    return Termbase(name="brand", source_lang="en", description="Brand and support terms", concepts=concepts)


def seed_demo_glossary(session: Session) -> None:
    """Add the `brand` glossary once."""
    if session.scalar(select(Glossary).where(Glossary.name == "brand")) is None:
        save_termbase(session, demo_termbase())
