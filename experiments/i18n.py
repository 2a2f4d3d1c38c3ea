"""Bahasa Indonesia and English: gettext catalogs and per-language number, month and rupiah formats.

Strings are written in English in the code and marked `_("...")` (translated where they are used)
or `N_("...")` (a constant, translated later). Translations live in standard gettext catalogs,
experiments/locale/<lang>/LC_MESSAGES/cakupan.po, compiled with Babel when first used (no binary
.mo files in git, so a catalog can never be stale). Numbers, percentages, months and amounts in
rupiah are formatted by Babel with the language's locale: "Rp 1,5 miliar" / "Rp 1.5 bn".

The lever names, units and explanations of the parameter registry (model/parameters.py) are
catalog entries too (`registry_messages`), so the model stays free of any language code; so are
the built-in scenarios' descriptions and the meaning of a band (`experiment_messages`).

`python -m experiments.i18n update` adds every marked string to every catalog (new entries empty,
for the translator); `python -m experiments.i18n init LANG` starts a new language.
"""

from __future__ import annotations

import datetime
import functools
import gettext
import io
import math
import sys
from pathlib import Path

from babel.dates import format_date, format_datetime
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from babel.numbers import format_decimal, format_percent

from experiments.layout import ROOT

# The languages offered, by code, each named in its own language (what the switch shows).
LANGUAGES = {"en": "English", "id": "Bahasa Indonesia"}
DEFAULT = "en"
# Babel locale of each language: separators, month names.
LOCALES = {"en": "en_US", "id": "id_ID"}
DOMAIN = "cakupan"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
SOURCES_FILE = "translated.txt"


def translated_sources(root: Path = ROOT) -> tuple[str, ...]:
    """The source files whose marked strings the catalogs must translate (what the app and the
    report show), as paths from the repository root: each package of the repository lists its
    own in its `translated.txt` (so this module names no other package's files);
    tests/viz/test_i18n.py fails on any of their strings left untranslated."""
    found = []
    for listing in sorted(root.glob(f"*/{SOURCES_FILE}")):
        for line in listing.read_text(encoding="utf-8").splitlines():
            name = line.split("#", 1)[0].strip()
            if name:
                found.append(f"{listing.parent.name}/{name}")
    return tuple(found)


SOURCES = translated_sources()
KEYWORDS = {"_": None, "N_": None, "t": None}  # t: a Translator in a local
# Amounts in rupiah are written with a word for their size, largest first.
RUPIAH_UNITS = {"en": ((1e12, "tn"), (1e9, "bn"), (1e6, "m")),
                "id": ((1e12, "triliun"), (1e9, "miliar"), (1e6, "juta"))}


def N_(message: str) -> str:
    """Mark a constant for the catalogs; it is translated where it is shown."""
    return message


def check_language(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"language: {lang!r} is not offered; choose one of {', '.join(LANGUAGES)}")
    return lang


def catalog_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(lang: str) -> Catalog:
    with open(catalog_path(lang), "rb") as f:
        return read_po(f, locale=LOCALES[lang], domain=DOMAIN)


@functools.cache
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalog of `lang` (English is the source language: no catalog)."""
    if check_language(lang) == "en":
        return gettext.NullTranslations()
    buffer = io.BytesIO()
    write_mo(buffer, read_catalog(lang))  # fuzzy entries are left out, as msgfmt does
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


class Translator:
    """`_("text")` in one language, plus that language's number formats."""

    def __init__(self, lang: str = DEFAULT):
        self.lang = check_language(lang)
        self.locale = LOCALES[lang]
        self._catalog = translations(lang)

    def __call__(self, message: str, **fields) -> str:
        """The translation of `message`, with `{name}` fields filled after translating."""
        text = self._catalog.gettext(message) if message else message
        return text.format(**fields) if fields else text

    def number(self, value, digits: int = 0) -> str:
        """1,033,000 / 1.033.000; '–' for a missing value."""
        if _missing(value):
            return "–"
        return format_decimal(value, "#,##0" + ("." + "0" * digits if digits else ""), locale=self.locale)

    def decimal(self, value) -> str:
        """A number with as many decimals as it has (up to 10): 20,000 / 20.000, 0.25 / 0,25."""
        if _missing(value):
            return "–"
        return format_decimal(value, "#,##0.##########", locale=self.locale)

    def percent(self, share, digits: int = 1) -> str:
        """0.342 -> 34.2% / 34,2%."""
        if _missing(share):
            return "–"
        return format_percent(share, "#,##0" + ("." + "0" * digits if digits else "") + "%",
                              locale=self.locale)

    def rupiah(self, value) -> str:
        """Rp 1.5 bn / Rp 1,5 miliar; Rp 16,800 / Rp 16.800 below a million."""
        if _missing(value):
            return "–"
        sign = "-" if value < 0 else ""
        for size, word in RUPIAH_UNITS[self.lang]:
            if abs(value) >= size:
                return f"{sign}Rp {format_decimal(abs(value) / size, '#,##0.#', locale=self.locale)} {word}"
        return f"{sign}Rp {format_decimal(abs(value), '#,##0', locale=self.locale)}"

    def moment(self, iso: str) -> str:
        """An ISO timestamp (as manifests hold them) as the language writes a date and time, in
        UTC: '2 Dec 2026, 16:51 UTC' / '2 Des 2026, 16.51 UTC'; text that is not one is returned."""
        try:
            when = datetime.datetime.fromisoformat(str(iso))
        except ValueError:
            return str(iso)
        if when.tzinfo is not None:
            when = when.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        return format_datetime(when, "d MMM yyyy, HH:mm", locale=self.locale) + " UTC"

    def month(self, label: str) -> str:
        """'2025-12' -> Dec 2025 / Des 2025."""
        year, month = (int(part) for part in str(label).split("-")[:2])
        return format_date(datetime.date(year, month, 1), "MMM yyyy", locale=self.locale)


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


@functools.cache
def translator(lang: str = DEFAULT) -> Translator:
    return Translator(lang)


# ---------------------------------------------------------------------------------- catalogs
def lever_label(name: str) -> str:
    """A lever's English label from its registry name: 'perisai_agents' -> 'Perisai agents'
    ('_idr' is said by the unit instead)."""
    words = name.removesuffix("_idr").replace("_", " ")
    return words[:1].upper() + words[1:]


# English names of the uncertain parameters and costs (what a driver of an effect is called)
# where the one made from the registry's name reads badly; the rest use lever_label's.
PARAMETER_LABELS = {
    "take_up_rate": "Take-up rate", "valuation_sd": "Spread of workers' valuation",
    "imitation": "Imitation of peers", "friction": "Registration friction",
    "assisted_friction": "Friction with assistance", "perisai_visit_effect": "Effect of a Perisai visit",
    "village_contact_rate": "Village contact rate", "village_contact_effect": "Effect of a village contact",
    "campaign_effect": "Effect of a campaign", "list_enrolment_success": "Enrolment success from lists",
    "offer_effect": "Effect of a subsidy offer", "post_subsidy_retention": "Retention after a subsidy ends",
    "stop_rate": "Rate of stopping payment", "collector_effect": "Effect of a collector",
    "digital_effect": "Effect of digital payment", "subsidy_disbursement_lag": "Subsidy disbursement delay",
    "perisai_visit_capacity": "Perisai visits per agent",
    "perisai_reservation_income_idr": "Perisai agents' reservation income",
    "formal_exit_share": "Share leaving formal work", "construction_project_months": "Construction project length",
    "retention_duration_effect": "Effect of months covered on retention",
    "transport_share_of_urban": "Transport workers among urban informal workers",
    "list_enrolment_throughput": "List registrations per payer a month",
    "list_enrolment_lead_months": "Months from budget to first registration",
    "apbd_p_month": "Month of the revised budget (APBD-P)",
    "perisai_hiring_capacity": "Perisai agents hired at most a month",
    "village_activation_capacity": "Villages activated at most a month",
}


def parameter_label(name: str) -> str:
    """Any registry parameter's English label (a catalog entry): the levers' from their names,
    the uncertain parameters' and costs' from PARAMETER_LABELS where given."""
    return PARAMETER_LABELS.get(name) or lever_label(name)


def registry_messages() -> list[str]:
    """The lever group titles, labels, units and explanations of model/parameters.py, and the
    descriptions of the subsidy's groups."""
    from model.parameters import LEVER_GROUPS, PARAMETERS, SUBSIDY_GROUPS

    found = list(LEVER_GROUPS.values()) + list(SUBSIDY_GROUPS.values())
    for p in PARAMETERS.values():
        if p.is_lever:
            found += [lever_label(p.name), p.unit, p.help]
        elif p.kind in ("uncertain", "cost"):   # the drivers of an effect are named with these
            found.append(parameter_label(p.name))
    return found


def experiment_messages() -> list[str]:
    """The built-in scenarios' descriptions (experiments/library/*.toml) and what a band means
    (experiments.summary.BAND_MEANING): shown by the app, written in English where they live."""
    from experiments.scenario import library
    from experiments.summary import BAND_MEANING

    return [d for d in library().values() if d] + list(BAND_MEANING.values())


def source_messages() -> list[str]:
    """Every string marked in SOURCES, in order of appearance."""
    found: list[str] = []
    for source in SOURCES:
        for _, message, _, _ in extract_from_file("python", ROOT / source, keywords=KEYWORDS):
            found.extend([message] if isinstance(message, str) else message)  # a tuple: plural forms
    return found


def messages() -> list[str]:
    """Every string the catalogs must translate, each once."""
    return list(dict.fromkeys(m for m in [*source_messages(), *registry_messages(), *experiment_messages()] if m))


def untranslated(lang: str) -> list[str]:
    """The strings that `lang`'s catalog lacks or leaves empty or fuzzy."""
    catalog = read_catalog(check_language(lang))
    missing = []
    for message in messages():
        entry = catalog.get(message)
        if entry is None or not entry.string or entry.fuzzy:
            missing.append(message)
    return missing


def update(lang: str, create: bool = False) -> Path:
    """Add every marked string to `lang`'s catalog (new ones empty); drop those no longer used."""
    template = Catalog(locale=LOCALES[lang], domain=DOMAIN, project="cakupan")
    for message in messages():
        template.add(message)
    path = catalog_path(lang)
    if create:
        if path.exists():
            raise ValueError(f"{path} exists: use `update`")
        catalog = template
    else:
        catalog = read_catalog(lang)
        catalog.update(template, no_fuzzy_matching=True)
    catalog.fuzzy = False  # the header: a fuzzy header would hide its charset from msgfmt
    catalog.project, catalog.version = "cakupan", "1"
    catalog.language_team = f"{LANGUAGES.get(lang, lang)} translators of cakupan"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        write_po(f, catalog, width=100, omit_header=False, ignore_obsolete=True)
    return path


def main(argv: list[str]) -> int:
    usage = "usage: python -m experiments.i18n update | init LANG | check"
    if argv[:1] == ["update"]:
        for lang in LANGUAGES:
            if lang != "en":
                print(f"updated {update(lang)}")
        return 0
    if argv[:1] == ["init"] and len(argv) == 2:
        LOCALES.setdefault(argv[1], argv[1])
        print(f"created {update(argv[1], create=True)}: translate it, then add {argv[1]!r} to "
              "LANGUAGES and LOCALES in experiments/i18n.py")
        return 0
    if argv[:1] == ["check"]:
        bad = {lang: untranslated(lang) for lang in LANGUAGES if lang != "en"}
        for lang, missing in bad.items():
            for message in missing:
                print(f"{lang}: untranslated: {message!r}")
        return 1 if any(bad.values()) else 0
    print(usage, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
