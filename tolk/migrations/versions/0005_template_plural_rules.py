"""template translations store the plural rule their forms were written with

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 17:00:00.000000

Existing rows are backfilled without asking the installed Babel (which may be any version by the time
this runs), from the two frozen tables below:

1. the gettext rules of Babel 2.18 (``babel.messages.plurals.PLURALS`` and its default
   ``nplurals=2; plural=(n != 1)``), which every translation stored before Babel 2.19 was checked with;
   a row whose number of forms matches its locale's rule there gets that rule (a 2-form ``es`` row:
   ``nplurals=2; plural=(n != 1)``);
2. otherwise the Babel 2.19 rule of its locale, for the locales where 2.19 changed the number of forms
   (a 3-form ``es`` row, written after the upgrade: ``nplurals=3; plural=(n == 1 ? 0 : n != 0 &&
   n % 1000000 == 0 ? 1 : 2)``);
3. otherwise a 1-form row gets ``nplurals=1; plural=0`` (the only rule with one form).

Rows of templates without a plural, and rows no table explains, keep NULL: rendering then picks msgid's
form for 1 and msgid_plural's otherwise, and `tolk catalogs check` lists the plural ones for re-translation.
Locales are looked up as Babel does: the full tag (``pt_BR``), then the language (``pt``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

_DEFAULT_2_18 = (2, '(n != 1)')

_BABEL_2_18: dict[str, tuple[int, str]] = {
    'af': (2, '(n != 1)'),
    'ar': (6, '(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=0 && n%100<=2 ? 4 : 5)'),
    'be': (3, '(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2)'),
    'bg': (2, '(n != 1)'),
    'bn': (2, '(n != 1)'),
    'bo': (1, '0'),
    'br': (6, '(n==1 ? 0 : n%10==1 && n%100!=11 && n%100!=71 && n%100!=91 ? 1 : n%10==2 && n%100!=12 && n%100!=72 && n%100!=92 ? 2 : (n%10==3 || n%10==4 || n%10==9) && n%100!=13 && n%100!=14 && n%100!=19 && n%100!=73 && n%100!=74 && n%100!=79 && n%100!=93 && n%100!=94 && n%100!=99 ? 3 : n%1000000==0 ? 4 : 5)'),
    'bs': (3, '(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2)'),
    'ca': (2, '(n != 1)'),
    'cs': (3, '((n==1) ? 0 : (n>=2 && n<=4) ? 1 : 2)'),
    'cv': (1, '0'),
    'cy': (5, '(n==1 ? 1 : n==2 ? 2 : n==3 ? 3 : n==6 ? 4 : 0)'),
    'da': (2, '(n != 1)'),
    'de': (2, '(n != 1)'),
    'dz': (1, '0'),
    'el': (2, '(n != 1)'),
    'en': (2, '(n != 1)'),
    'eo': (2, '(n != 1)'),
    'es': (2, '(n != 1)'),
    'et': (2, '(n != 1)'),
    'eu': (2, '(n != 1)'),
    'fa': (1, '0'),
    'fi': (2, '(n != 1)'),
    'fr': (2, '(n > 1)'),
    'fur': (2, '(n > 1)'),
    'ga': (5, '(n==1 ? 0 : n==2 ? 1 : n>=3 && n<=6 ? 2 : n>=7 && n<=10 ? 3 : 4)'),
    'gl': (2, '(n != 1)'),
    'ha': (2, '(n != 1)'),
    'he': (2, '(n != 1)'),
    'hi': (2, '(n != 1)'),
    'hr': (3, '(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2)'),
    'hu': (1, '0'),
    'hy': (1, '0'),
    'is': (2, '(n%10==1 && n%100!=11 ? 0 : 1)'),
    'it': (2, '(n != 1)'),
    'ja': (1, '0'),
    'ka': (1, '0'),
    'kg': (2, '(n != 1)'),
    'km': (1, '0'),
    'ko': (1, '0'),
    'ku': (2, '(n != 1)'),
    'lo': (1, '0'),
    'lt': (3, '(n%10==1 && n%100!=11 ? 0 : n%10>=2 && (n%100<10 || n%100>=20) ? 1 : 2)'),
    'lv': (3, '(n%10==1 && n%100!=11 ? 0 : n != 0 ? 1 : 2)'),
    'mt': (4, '(n==1 ? 0 : n==0 || ( n%100>=1 && n%100<=10) ? 1 : (n%100>10 && n%100<20 ) ? 2 : 3)'),
    'nb': (2, '(n != 1)'),
    'nl': (2, '(n != 1)'),
    'nn': (2, '(n != 1)'),
    'no': (2, '(n != 1)'),
    'pa': (2, '(n != 1)'),
    'pl': (3, '(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2)'),
    'pt': (2, '(n != 1)'),
    'pt_BR': (2, '(n > 1)'),
    'ro': (3, '(n==1 ? 0 : (n==0 || (n%100 > 0 && n%100 < 20)) ? 1 : 2)'),
    'ru': (3, '(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2)'),
    'sk': (3, '((n==1) ? 0 : (n>=2 && n<=4) ? 1 : 2)'),
    'sl': (4, '(n%100==1 ? 0 : n%100==2 ? 1 : n%100==3 || n%100==4 ? 2 : 3)'),
    'sr': (3, '(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2)'),
    'st': (2, '(n != 1)'),
    'sv': (2, '(n != 1)'),
    'th': (1, '0'),
    'tr': (1, '0'),
    'uk': (3, '(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2)'),
    've': (2, '(n != 1)'),
    'vi': (1, '0'),
    'xh': (2, '(n != 1)'),
    'zh': (1, '0'),
}

# Babel 2.19 rules of the locales where 2.19 gives a different number of forms than 2.18.
_BABEL_2_19_OTHER_COUNT: dict[str, tuple[int, str]] = {
    'blo': (3, '(n == 0 ? 0 : n == 1 ? 1 : 2)'),
    'bm': (1, '0'),
    'br': (5, 'n % 10 == 1 && n % 100 != 11 && n % 100 != 71 && n % 100 != 91 ? 0 : n % 10 == 2 && n % 100 != 12 && n % 100 != 72 && n % 100 != 92 ? 1 : ((n % 10 == 3 || n % 10 == 4) || n % 10 == 9) && (n % 100 < 10 || n % 100 > 19) && (n % 100 < 70 || n % 100 > 79) && (n % 100 < 90 || n % 100 > 99) ? 2 : n != 0 && n % 1000000 == 0 ? 3 : 4'),
    'ca': (3, '(n == 1 ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2)'),
    'cv': (3, '(n == 0 ? 0 : n == 1 ? 1 : 2)'),
    'cy': (6, '(n == 0 ? 0 : n == 1 ? 1 : n == 2 ? 2 : n == 3 ? 3 : n == 6 ? 4 : 5)'),
    'dsb': (4, 'n % 100 == 1 ? 0 : n % 100 == 2 ? 1 : (n % 100 == 3 || n % 100 == 4) ? 2 : 3'),
    'es': (3, '(n == 1 ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2)'),
    'fa': (2, '(n > 1)'),
    'fr': (3, '(n == 0 || n == 1) ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2'),
    'gd': (4, '(n == 1 || n == 11) ? 0 : (n == 2 || n == 12) ? 1 : (n >= 3 && n <= 10 || n >= 13 && n <= 19) ? 2 : 3'),
    'gv': (4, 'n % 10 == 1 ? 0 : n % 10 == 2 ? 1 : (n % 100 == 0 || n % 100 == 20 || n % 100 == 40 || n % 100 == 60 || n % 100 == 80) ? 2 : 3'),
    'he': (3, '(n == 1 ? 0 : n == 2 ? 1 : 2)'),
    'hnj': (1, '0'),
    'hsb': (4, 'n % 100 == 1 ? 0 : n % 100 == 2 ? 1 : (n % 100 == 3 || n % 100 == 4) ? 2 : 3'),
    'hu': (2, '(n != 1)'),
    'hy': (2, '(n > 1)'),
    'id': (1, '0'),
    'ig': (1, '0'),
    'ii': (1, '0'),
    'it': (3, '(n == 1 ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2)'),
    'iu': (3, '(n == 1 ? 0 : n == 2 ? 1 : 2)'),
    'jbo': (1, '0'),
    'jv': (1, '0'),
    'ka': (2, '(n != 1)'),
    'kde': (1, '0'),
    'kea': (1, '0'),
    'ksh': (3, '(n == 0 ? 0 : n == 1 ? 1 : 2)'),
    'kw': (6, 'n == 0 ? 0 : n == 1 ? 1 : (n % 100 == 2 || n % 100 == 22 || n % 100 == 42 || n % 100 == 62 || n % 100 == 82) || n % 1000 == 0 && (n % 100000 >= 1000 && n % 100000 <= 20000 || n % 100000 == 40000 || n % 100000 == 60000 || n % 100000 == 80000) || n != 0 && n % 1000000 == 100000 ? 2 : (n % 100 == 3 || n % 100 == 23 || n % 100 == 43 || n % 100 == 63 || n % 100 == 83) ? 3 : n != 1 && (n % 100 == 1 || n % 100 == 21 || n % 100 == 41 || n % 100 == 61 || n % 100 == 81) ? 4 : 5'),
    'lag': (3, '(n == 0 ? 0 : n == 1 ? 1 : 2)'),
    'lkt': (1, '0'),
    'lld': (3, '(n == 1 ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2)'),
    'ms': (1, '0'),
    'mt': (5, '(n == 1 ? 0 : n == 2 ? 1 : n == 0 || n % 100 >= 3 && n % 100 <= 10 ? 2 : n % 100 >= 11 && n % 100 <= 19 ? 3 : 4)'),
    'my': (1, '0'),
    'naq': (3, '(n == 1 ? 0 : n == 2 ? 1 : 2)'),
    'nqo': (1, '0'),
    'osa': (1, '0'),
    'prg': (3, '(n % 10 == 0 || n % 100 >= 11 && n % 100 <= 19 ? 0 : n % 10 == 1 && n % 100 != 11 ? 1 : 2)'),
    'pt': (3, '(n == 0 || n == 1) ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2'),
    'pt_BR': (3, '(n == 0 || n == 1) ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2'),
    'pt_PT': (3, '(n == 1 ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2)'),
    'sah': (1, '0'),
    'sat': (3, '(n == 1 ? 0 : n == 2 ? 1 : 2)'),
    'scn': (3, '(n == 1 ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2)'),
    'se': (3, '(n == 1 ? 0 : n == 2 ? 1 : 2)'),
    'ses': (1, '0'),
    'sg': (1, '0'),
    'sgs': (4, 'n % 10 == 1 && n % 100 != 11 ? 0 : n == 2 ? 1 : n != 2 && n % 10 >= 2 && n % 10 <= 9 && (n % 100 < 11 || n % 100 > 19) ? 2 : 3'),
    'shi': (3, '(n == 0 || n == 1 ? 0 : n >= 2 && n <= 10 ? 1 : 2)'),
    'sma': (3, '(n == 1 ? 0 : n == 2 ? 1 : 2)'),
    'smj': (3, '(n == 1 ? 0 : n == 2 ? 1 : 2)'),
    'smn': (3, '(n == 1 ? 0 : n == 2 ? 1 : 2)'),
    'sms': (3, '(n == 1 ? 0 : n == 2 ? 1 : 2)'),
    'su': (1, '0'),
    'to': (1, '0'),
    'tpi': (1, '0'),
    'tr': (2, '(n != 1)'),
    'vec': (3, '(n == 1 ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2)'),
    'wo': (1, '0'),
    'yo': (1, '0'),
    'yue': (1, '0'),
}


def _rule_for(locale: str, count: int) -> tuple[int, str] | None:
    key = locale.replace("-", "_")
    language = key.split("_")[0]
    old = _BABEL_2_18.get(key) or _BABEL_2_18.get(language) or _DEFAULT_2_18
    new = _BABEL_2_19_OTHER_COUNT.get(key) or _BABEL_2_19_OTHER_COUNT.get(language)
    for rule in (old, new, (1, '0')):
        if rule is not None and rule[0] == count:
            return rule
    return None


def upgrade() -> None:
    with op.batch_alter_table('template_translations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('nplurals', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('plural_expr', sa.Text(), nullable=True))

    translations = sa.table('template_translations', sa.column('id', sa.Integer()),
                            sa.column('template_id', sa.String()), sa.column('locale', sa.String()),
                            sa.column('forms', sa.JSON()), sa.column('nplurals', sa.Integer()),
                            sa.column('plural_expr', sa.Text()))
    templates = sa.table('reply_templates', sa.column('id', sa.String()), sa.column('source_plural', sa.Text()))
    bind = op.get_bind()
    plural_rows = bind.execute(
        sa.select(translations.c.id, translations.c.locale, translations.c.forms)
        .select_from(translations.join(templates, templates.c.id == translations.c.template_id))
        .where(templates.c.source_plural.is_not(None))
        .order_by(translations.c.id)).all()
    for row_id, locale, forms in plural_rows:
        rule = _rule_for(locale, len(forms or []))
        if rule is not None:
            bind.execute(translations.update().where(translations.c.id == row_id)
                         .values(nplurals=rule[0], plural_expr=rule[1]))


def downgrade() -> None:
    with op.batch_alter_table('template_translations', schema=None) as batch_op:
        batch_op.drop_column('plural_expr')
        batch_op.drop_column('nplurals')
