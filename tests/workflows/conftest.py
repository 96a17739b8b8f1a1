"""Workflow fixtures: the demo locale profiles and reply templates."""

from __future__ import annotations

import pytest


@pytest.fixture
def seeded(app):
    """The app with the demo locale profiles and reply templates loaded."""
    from tolk.db import db
    from workflows.locales import seed_demo_locales
    from workflows.macros import seed_demo_templates

    with app.app_context():
        seed_demo_locales(db.session)
        seed_demo_templates(db.session)
        db.session.commit()
    return app
