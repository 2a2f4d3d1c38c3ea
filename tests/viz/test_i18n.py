"""Bahasa Indonesia and English: every marked string translated, formats per locale, catalogs valid."""

import ast
import string

import ipyvuetify as v
import pytest
import solara

from experiments import i18n
from viz import language


def test_no_string_of_the_app_is_left_untranslated():
    """Lists every untranslated string (marked in i18n.SOURCES, or a lever text of the registry)."""
    missing = {lang: i18n.untranslated(lang) for lang in i18n.LANGUAGES if lang != i18n.DEFAULT}
    assert missing == {lang: [] for lang in missing}, "run `python -m experiments.i18n update` and translate"


def test_the_check_finds_a_string_missing_from_the_catalog(monkeypatch):
    monkeypatch.setattr(i18n, "source_messages", lambda: ["A string nobody translated"])
    assert i18n.untranslated("id") == ["A string nobody translated"]


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("lang", [lang for lang in i18n.LANGUAGES if lang != i18n.DEFAULT])
def test_translations_keep_every_placeholder(lang):
    catalog = i18n.read_catalog(lang)
    wrong = [m.id for m in catalog if m.id and m.string and fields(m.id) != fields(m.string)]
    assert wrong == []


def test_every_translated_source_marks_its_strings_not_f_strings():
    """A t(f"...") call cannot be looked up in a catalog: the check would pass it silently."""
    offenders = []
    for source in i18n.SOURCES:
        tree = ast.parse((i18n.ROOT / source).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in i18n.KEYWORDS \
                    and node.args and isinstance(node.args[0], ast.JoinedStr):
                offenders.append(f"{source}:{node.lineno}")
    assert offenders == []


@pytest.mark.parametrize("lang, share, amount, small, month, number", [
    ("en", "34.2%", "Rp 1.5 bn", "Rp 16,800", "Dec 2025", "1,033,000"),
    ("id", "34,2%", "Rp 1,5 miliar", "Rp 16.800", "Des 2025", "1.033.000"),
])
def test_numbers_months_and_rupiah_per_language(lang, share, amount, small, month, number):
    t = i18n.translator(lang)
    assert t.percent(0.342) == share and t.rupiah(1.5e9) == amount and t.rupiah(16_800) == small
    assert t.month("2025-12") == month and t.number(1_033_000) == number
    assert t.rupiah(float("nan")) == "–" and t.percent(None) == "–"
    assert t.rupiah(-2.5e8).startswith("-Rp 250 ")


def test_a_language_not_offered_is_refused_naming_the_choices():
    with pytest.raises(ValueError, match="choose one of en, id"):
        i18n.translator("fr")
    with pytest.raises(ValueError, match="choose one of en, id"):
        language.set_language("../../etc/passwd")


def test_the_switch_changes_the_translator_of_the_session():
    @solara.component
    def Probe():
        t = language.use_translator()
        solara.Text(t("Coverage"))
        language.LanguageSwitch()

    _, rc = solara.render(Probe(), handle_error=False)
    texts = lambda: [w.children[0] for w in rc.find(v.Html).widgets if w.children]  # noqa: E731
    assert "Coverage" in texts()
    language.set_language("id")
    try:
        assert "Cakupan" in texts()
    finally:
        language.set_language("en")
    assert "Coverage" in texts()
