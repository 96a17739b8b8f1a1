"""The admin console in a real browser: an admin creates an API token (shown once) and revokes it, reads the
audit log filtered to what they did, and deletes a glossary after typing its name."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.browser.conftest import shoot
from tests.browser.test_flows import sign_in
from tolk.db import db

pytestmark = pytest.mark.browser


def test_an_admin_creates_and_revokes_a_token_reads_the_audit_log_and_deletes_a_glossary(app, page, person, client,
                                                                                         admin_headers):
    from glossaries.models import Glossary

    person("admin", "ada", "en")
    person("agent", "alex", "en")
    assert client.post("/api/v1/glossaries", headers=admin_headers,
                       json={"name": "retired", "source_lang": "en"}).status_code == 201
    sign_in(page, "ada")

    page.goto("/admin/tokens")
    page.get_by_label("For user").select_option("alex")
    page.get_by_role("button", name="Create token").click()
    token = page.inner_text("#token-value").strip()
    assert token.startswith("tolk_")
    shoot(page, "admin-token-created")
    assert client.get("/api/v1/engines", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    page.goto("/admin/tokens")
    assert token not in page.content()
    page.get_by_role("button", name=f"Revoke token {token[:12]} of alex").click()
    page.wait_for_selector("text=no longer works")
    assert client.get("/api/v1/engines", headers={"Authorization": f"Bearer {token}"}).status_code == 401

    page.get_by_role("link", name="Audit log").first.click()
    page.get_by_label("Who").fill("ada")
    page.get_by_role("button", name="Filter").click()
    log = page.inner_text("#audit")
    assert "token.revoked" in log and "token.created" in log and '"prefix"' in log
    shoot(page, "admin-audit-log")

    page.goto("/admin/glossaries")
    page.get_by_role("link", name="Delete glossary retired").click()
    page.get_by_label("Type the glossary's name to confirm").fill("retired")
    page.get_by_role("button", name="Delete the glossary").click()
    page.wait_for_selector("text=Glossary retired deleted")
    shoot(page, "admin-glossary-deleted")
    with app.app_context():
        assert db.session.scalar(select(Glossary).where(Glossary.name == "retired")) is None
