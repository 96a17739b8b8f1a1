"""The header menu, the administration menu and each role's landing page, as the packages register them."""

from __future__ import annotations

import re

import pytest

from tests.web.forms import post, sign_in

MENU = re.compile(r'<header class="top">.*?<nav[^>]*>(.*?)</nav>', re.S)
ADMIN_MENU = re.compile(r'<nav class="subnav"[^>]*>(.*?)</nav>', re.S)
LINK = re.compile(r'<a href="([^"]+)"[^>]*>\s*([^<]+?)\s*</a>')


def links(menu: re.Pattern[str], html: str) -> list[tuple[str, str]]:
    """(URL, label) of each link in the first block ``menu`` finds in ``html``."""
    block = menu.search(html)
    assert block, "menu not found"
    return LINK.findall(block.group(1))


@pytest.mark.parametrize(("role", "home", "menu"), [
    ("agent", "/agent", ["Replies"]),
    ("reviewer", "/review", ["Review queue", "Quality"]),
    ("editor", "/kb-editor", ["Knowledge base", "Quality"]),
    ("admin", "/admin", ["Replies", "Review queue", "Knowledge base", "Quality", "Administration"]),
])
def test_each_role_lands_on_its_page_and_its_menu_holds_only_pages_it_may_open(client, person, role, home, menu):
    person(role, "sam", "es")
    assert sign_in(client, "sam").location == home
    entries = links(MENU, client.get(home).get_data(as_text=True))
    assert [label for _url, label in entries] == menu
    for url, _label in entries:
        assert client.get(url).status_code == 200, url


def test_the_administration_menu_lists_every_admin_area(client, person):
    person("admin", "ada", "en")
    sign_in(client, "ada")
    assert links(ADMIN_MENU, client.get("/admin").get_data(as_text=True)) == [
        ("/admin/glossaries", "Glossaries"), ("/admin/locales", "Locale profiles"),
        ("/admin/users", "Users and shifts"), ("/admin/tokens", "API tokens"), ("/admin/engines", "Engines"),
        ("/admin/audit", "Audit log")]


def test_menu_labels_are_in_the_interface_language_of_each_request(client, person):
    person("admin", "ada", "en")
    sign_in(client, "ada")
    post(client, "/ui-language", {"locale": "es", "next": "/admin"})
    html = client.get("/admin").get_data(as_text=True)
    assert [label for _url, label in links(MENU, html)] == [
        "Respuestas", "Cola de revisión", "Base de conocimiento", "Calidad", "Administración"]
    assert [label for _url, label in links(ADMIN_MENU, html)] == [
        "Glosarios", "Perfiles regionales", "Usuarios y turnos", "Tokens de API", "Motores", "Registro de auditoría"]
    post(client, "/ui-language", {"locale": "en", "next": "/admin"})
    assert links(MENU, client.get("/admin").get_data(as_text=True))[0] == ("/agent", "Replies")
