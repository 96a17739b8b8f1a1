"""`tolk serve` loads the app and its large models once, before forking the web workers that share them."""

from __future__ import annotations

import gc
import json
import urllib.request

from glossaries.matching import _DICTIONARIES, LEMMATIZER, simplemma_language
from machinery.detection import shared_detector
from tests.web.forms import sign_in
from tolk.cli import preload_models
from workflows.classifier import load_classifier
from workflows.rule_search import search_plan


def test_preloading_loads_the_detector_and_lemmatizers_the_workers_will_use(app, monkeypatch):
    assert sorted(f.__qualname__ for f in app.extensions["tolk.web_preload"]) == [
        "_compile_templates", "_load_detector", "_load_lemmatizers", "_load_routing"]
    # Every model below is process-wide: start from none loaded, so an earlier test cannot pass this one.
    # A margin of its own gives this app a detector no other test built.
    monkeypatch.setitem(app.config, "DETECTION_MIN_MARGIN", app.config["DETECTION_MIN_MARGIN"] + 1e-6)
    detector = shared_detector(tuple(app.config["LANGUAGES"]), app.config["DETECTION_MIN_MARGIN"])
    search_plan.cache_clear()
    load_classifier.cache_clear()
    _DICTIONARIES._get_dictionary.cache_clear()
    assert detector._detector is None
    try:
        assert preload_models(app) is app
    finally:
        gc.unfreeze()  # the test process is not about to fork
    assert detector._detector is not None  # built: the workers' machinery uses this same instance
    with app.app_context():
        from machinery.service import services

        assert services().detector is detector
    lemmatized = {lang for lang in app.config["LANGUAGES"] if simplemma_language(lang)}
    assert lemmatized and _DICTIONARIES._get_dictionary.cache_info().currsize == len(lemmatized)
    assert LEMMATIZER.lemmatize("paquetes", "es") == "paquete"
    assert search_plan.cache_info().currsize == 1 and load_classifier.cache_info().currsize == 1


def test_preloading_compiles_every_template_so_no_request_thread_compiles_one(app, client, person, monkeypatch):
    """Jinja's lexer reads number literals with ast.literal_eval, which is not thread-safe on CPython 3.11."""
    app.jinja_env.cache.clear()
    try:
        preload_models(app)
    finally:
        gc.unfreeze()

    def no_compile(*args, **kwargs):
        raise AssertionError("a template was compiled after the preload")

    monkeypatch.setattr(app.jinja_env, "compile", no_compile)
    person("admin", "ada", "en")
    response = sign_in(client, "ada")
    assert response.status_code == 303
    for url in (response.location, "/admin/users", "/admin/audit", "/kb-editor", "/quality", "/account"):
        assert client.get(url).status_code == 200, url


def test_workers_forked_from_the_preloaded_arbiter_detect_and_translate(app, served, make_user, deepl_fake):
    """The detector built before the fork works in every worker (fresh connections spread over both)."""
    headers = make_user("agent", languages="en")[1]
    url = served(workers=2, threads=2, DEEPL_AUTH_KEY=deepl_fake.auth_key, DEEPL_SERVER_URL=deepl_fake.url)
    for n in range(6):
        body = {"text": "Your parcel is on its way.", "ticket_ref": f"P-{n}", "channel": "email",
                "customer_message": "Hola, ¿dónde está mi paquete? Lo pedí hace una semana."}
        request = urllib.request.Request(f"{url}/api/v1/replies", data=json.dumps(body).encode(), method="POST",
                                         headers={**headers, "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            reply = json.loads(response.read())
        assert response.status == 201 and reply["customer_lang"] == "es" and reply["detection"]["used"] == "detected"
