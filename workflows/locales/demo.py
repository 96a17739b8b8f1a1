"""Demo locale profiles: what support in each shipped market decides for itself."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows.locales.changes import update_profile
from workflows.models import LocaleProfile

# Upselling: support contacts in German-, Dutch-, Polish-, Estonian- and Japanese-speaking markets
# read offers in a complaint or refund reply as pushy (a common finding of CX teams there), so they
# are off. English, Spanish, Catalan, Mexican Spanish, Taiwanese and Gulf-Arabic support commonly
# carry a relevant offer, so they stay on; the check still applies when a locale turns it off.
# Formality: support writes formally (Sie, u, usted, vous-style teie, 您, keigo) unless a brand
# decides otherwise; English has no T-V distinction, so "default".
DEMO_PROFILES: dict[str, dict[str, Any]] = {
    "en": {
        "name": "English", "formality": "default", "greeting": "Hello {customer_name},",
        "sign_off": "Kind regards,\nThe support team", "upsell_allowed": True,
        "sla_minutes": {"chat": 3, "email": 720, "social": 60, "phone": 2},
        "preferred_channels": ["chat", "email"], "working_days": "mon,tue,wed,thu,fri",
        "holidays": ["2026-01-01", "2026-12-25"], "currency": "EUR", "text_direction": "ltr",
        "quality_threshold": 90.0, "sample_rate": 0.02,
        "critical_terms": ["refund", "chargeback", "password", "invoice", "cancellation"],
    },
    "es": {
        "name": "Spanish (Spain)", "formality": "formal", "greeting": "Hola, {customer_name}:",
        "sign_off": "Un saludo,\nEl equipo de atención al cliente", "upsell_allowed": True,
        "sla_minutes": {"chat": 5, "email": 1440, "social": 120, "phone": 3},
        "preferred_channels": ["social", "chat", "phone"], "working_days": "mon,tue,wed,thu,fri",
        # Año Nuevo, Reyes, Viernes Santo, Trabajo, Asunción, Fiesta Nacional, Inmaculada, Navidad.
        "holidays": ["2026-01-01", "2026-01-06", "2026-04-03", "2026-05-01", "2026-08-15", "2026-10-12",
                     "2026-12-08", "2026-12-25"],
        "currency": "EUR", "text_direction": "ltr", "quality_threshold": 88.0, "sample_rate": 0.05,
        "critical_terms": ["reembolso", "devolución", "contraseña", "factura", "cancelación"],
    },
    "es-MX": {
        # Inherits greeting, formality (usted) and checks from es; its own money, calendar and pace.
        "name": "Spanish (Mexico)", "sign_off": "Saludos cordiales,\nEl equipo de atención al cliente",
        "sla_minutes": {"social": 60, "chat": 3}, "preferred_channels": ["social", "chat"],
        # Año Nuevo, Constitución, Natalicio de Benito Juárez, Trabajo, Independencia, Revolución, Navidad.
        "holidays": ["2026-01-01", "2026-02-02", "2026-03-16", "2026-05-01", "2026-09-16", "2026-11-16",
                     "2026-12-25"],
        "currency": "MXN",
    },
    "ca": {
        "name": "Catalan", "formality": "formal", "greeting": "Hola, {customer_name}:",
        "sign_off": "Salutacions cordials,\nL'equip d'atenció al client", "upsell_allowed": True,
        "sla_minutes": {"chat": 5, "email": 1440, "social": 120, "phone": 3},
        "preferred_channels": ["chat", "email"],
        # Cap d'Any, Reis, Divendres Sant, Dilluns de Pasqua, Sant Joan, Diada, Nadal, Sant Esteve.
        "holidays": ["2026-01-01", "2026-01-06", "2026-04-03", "2026-04-06", "2026-06-24", "2026-09-11",
                     "2026-12-25", "2026-12-26"],
        "currency": "EUR", "quality_threshold": 88.0, "sample_rate": 0.08,
        "critical_terms": ["reemborsament", "devolució", "contrasenya", "factura"],
    },
    "de": {
        # "Guten Tag" with the full name avoids the gendered "Sehr geehrte/r Frau/Herr".
        "name": "German", "formality": "formal", "greeting": "Guten Tag {customer_name},",
        "sign_off": "Mit freundlichen Grüßen\nIhr Kundenservice-Team", "upsell_allowed": False,
        "sla_minutes": {"chat": 5, "email": 1440, "social": 240, "phone": 3},
        "preferred_channels": ["email", "phone"],
        # Neujahr, Karfreitag, Ostermontag, Tag der Arbeit, Christi Himmelfahrt, Pfingstmontag,
        # Tag der Deutschen Einheit, 1. und 2. Weihnachtstag.
        "holidays": ["2026-01-01", "2026-04-03", "2026-04-06", "2026-05-01", "2026-05-14", "2026-05-25",
                     "2026-10-03", "2026-12-25", "2026-12-26"],
        "currency": "EUR", "quality_threshold": 90.0, "sample_rate": 0.05,
        "critical_terms": ["Rückerstattung", "Erstattung", "Kündigung", "Widerruf", "Passwort", "Rechnung"],
    },
    "de-CH": {
        # Swiss Standard German writes "ss" for "ß"; the rest comes from de.
        "name": "German (Switzerland)", "sign_off": "Freundliche Grüsse\nIhr Kundendienst-Team",
        # Neujahr, Berchtoldstag, Karfreitag, Ostermontag, Auffahrt, Pfingstmontag, Bundesfeier,
        # Weihnachten, Stephanstag.
        "holidays": ["2026-01-01", "2026-01-02", "2026-04-03", "2026-04-06", "2026-05-14", "2026-05-25",
                     "2026-08-01", "2026-12-25", "2026-12-26"],
        "currency": "CHF",
    },
    "nl": {
        # "Beste" is the usual neutral opening; "Geachte" reads stiff in support mail. Support uses "u".
        "name": "Dutch", "formality": "formal", "greeting": "Beste {customer_name},",
        "sign_off": "Met vriendelijke groet,\nHet klantenserviceteam", "upsell_allowed": False,
        "sla_minutes": {"chat": 2, "email": 480, "social": 60, "phone": 2},
        "preferred_channels": ["chat", "social", "email"],
        # Nieuwjaarsdag, Eerste en Tweede Paasdag, Koningsdag, Hemelvaartsdag, Tweede Pinksterdag, Kerst.
        "holidays": ["2026-01-01", "2026-04-05", "2026-04-06", "2026-04-27", "2026-05-14", "2026-05-25",
                     "2026-12-25", "2026-12-26"],
        "currency": "EUR", "quality_threshold": 90.0, "sample_rate": 0.05,
        "critical_terms": ["terugbetaling", "restitutie", "opzeggen", "wachtwoord", "factuur"],
    },
    "pl": {
        # "Szanowny Panie/Szanowna Pani" needs the customer's gender; "Dzień dobry" does not.
        "name": "Polish", "formality": "formal", "greeting": "Dzień dobry {customer_name},",
        "sign_off": "Z poważaniem\nZespół obsługi klienta", "upsell_allowed": False,
        "sla_minutes": {"chat": 3, "email": 1440, "social": 120, "phone": 2},
        "preferred_channels": ["email", "chat", "phone"],
        # Nowy Rok, Trzech Króli, Poniedziałek Wielkanocny, Święto Pracy, Boże Ciało, Wniebowzięcie,
        # Wszystkich Świętych, Niepodległości, Wigilia (a day off since 2025), Boże Narodzenie.
        "holidays": ["2026-01-01", "2026-01-06", "2026-04-06", "2026-05-01", "2026-06-04", "2026-08-15",
                     "2026-11-01", "2026-11-11", "2026-12-24", "2026-12-25", "2026-12-26"],
        "currency": "PLN", "quality_threshold": 92.0, "sample_rate": 0.15,
        "critical_terms": ["zwrot", "reklamacja", "hasło", "faktura", "odstąpienie"],
    },
    "et": {
        "name": "Estonian", "formality": "formal", "greeting": "Tere, {customer_name}!",
        "sign_off": "Lugupidamisega\nKlienditeeninduse meeskond", "upsell_allowed": False,
        "sla_minutes": {"chat": 3, "email": 480, "social": 240, "phone": 3},
        "preferred_channels": ["email", "chat"],
        # Uusaasta, iseseisvuspäev, suur reede, kevadpüha, võidupüha, jaanipäev, taasiseseisvumispäev,
        # jõululaupäev, jõulupühad.
        "holidays": ["2026-01-01", "2026-02-24", "2026-04-03", "2026-05-01", "2026-06-23", "2026-06-24",
                     "2026-08-20", "2026-12-24", "2026-12-25", "2026-12-26"],
        # Machine translation is weakest here: more spot checks, a higher bar.
        "currency": "EUR", "quality_threshold": 92.0, "sample_rate": 0.2,
        "critical_terms": ["tagasimakse", "raha tagastamine", "parool", "arve"],
    },
    "zh-Hant": {
        "name": "Chinese (Traditional, Taiwan)", "formality": "formal", "greeting": "{customer_name} 您好：",
        "sign_off": "客服團隊 敬上", "upsell_allowed": True,
        "sla_minutes": {"chat": 2, "email": 720, "social": 30, "phone": 2},
        "preferred_channels": ["chat", "social"],
        # 元旦, 春節 (除夕 to 初三), 端午節, 中秋節, 國慶日.
        "holidays": ["2026-01-01", "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-06-19",
                     "2026-09-25", "2026-10-10"],
        "currency": "TWD", "quality_threshold": 92.0, "sample_rate": 0.15,
        "critical_terms": ["退款", "密碼", "發票", "解約"],
    },
    "ja": {
        "name": "Japanese", "formality": "formal", "greeting": "{customer_name}様",
        "sign_off": "今後ともよろしくお願い申し上げます。\nカスタマーサポート", "upsell_allowed": False,
        "sla_minutes": {"chat": 3, "email": 1440, "social": 240, "phone": 2},
        "preferred_channels": ["email", "phone"],
        # 元日, 成人の日, 建国記念の日, 天皇誕生日, 春分の日, 昭和の日, 憲法記念日 to 振替休日, 海の日,
        # 敬老の日, 秋分の日, スポーツの日, 文化の日, 勤労感謝の日.
        "holidays": ["2026-01-01", "2026-01-12", "2026-02-11", "2026-02-23", "2026-03-20", "2026-04-29",
                     "2026-05-04", "2026-05-05", "2026-05-06", "2026-07-20", "2026-09-21", "2026-09-23",
                     "2026-10-12", "2026-11-03", "2026-11-23"],
        "currency": "JPY", "quality_threshold": 92.0, "sample_rate": 0.15,
        "critical_terms": ["返金", "パスワード", "請求書", "解約"],
    },
    "ar": {
        # No engine is installed for Arabic by default and RTL layout needs a human eye: always review.
        "name": "Arabic (Saudi Arabia)", "formality": "formal", "greeting": "مرحبًا {customer_name}،",
        "sign_off": "مع أطيب التحيات،\nفريق خدمة العملاء", "upsell_allowed": True,
        "sla_minutes": {"chat": 3, "email": 1440, "social": 60, "phone": 2},
        "preferred_channels": ["social", "chat"], "working_days": "sun,mon,tue,wed,thu",
        # Founding Day and National Day; the two Eids follow the moon sighting (approximate dates).
        "holidays": ["2026-02-22", "2026-03-20", "2026-05-27", "2026-09-23"],
        "currency": "SAR", "text_direction": "rtl", "quality_threshold": 92.0, "sample_rate": 0.2,
        "always_review": True, "critical_terms": ["استرداد", "كلمة المرور", "فاتورة"],
    },
}


def seed_demo_locales(session: Session) -> None:
    """Create the demo locale profiles that do not exist yet (idempotent; edited profiles are kept)."""
    existing = set(session.scalars(select(LocaleProfile.locale)))
    for tag, values in DEMO_PROFILES.items():
        if tag not in existing:
            update_profile(session, tag, values)
    session.flush()
