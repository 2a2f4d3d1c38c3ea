"""Numbers and amounts in rupiah as a planner types them, in the session's language.

`parse_number(text, lang, field)` is the one parser of every number field of the app (Compare's
and Explore's lever editor, the Plan page): it reads a number the way the app writes it in that
language and the ways planners write amounts, and refuses everything else with one message in
the session's language naming the field (`NumberError`, a ValueError, the only exception it
raises). `field_text(value, lang)` writes a value back into a field so that the parser reads it
again (never "2e+10").

Accepted, Bahasa Indonesia (thousands ".", decimals ","): "20.000.000.000", "20000000000",
"1,5", "20 miliar", "Rp 1,5 triliun", "Rp 250 juta", "16,8 ribu", "Rp 16.800".
Accepted, English (thousands ",", decimals "."): "20,000,000,000", "20000000000", "1.5",
"20 bn", "1.5 billion", "Rp 1.5 tn", "250 m", "16.8 k". The words of both languages are read in
both (a planner switching language keeps their habits), except the one-letter "m" (million in
English; "M" is miliar in Indonesian usage), read only in English. A leading "Rp"/"IDR" and a
trailing "rupiah"/"IDR" are dropped; a separator that does not belong to the language is refused
rather than guessed ("1.5" in Bahasa Indonesia could be 15 or 1,5), as are "nan", "inf", values
too large for a float, and text longer than MAX_LENGTH characters.
"""

from __future__ import annotations

import math
import re

from experiments.i18n import translator

MAX_LENGTH = 60  # characters: "Rp 10.000.000.000.000" is 21; longer text is not a number

# Words for a size, lower case, read in both languages; "m" only in English (see above).
SIZE_WORDS = {
    "triliun": 1e12, "trilyun": 1e12, "t": 1e12, "tn": 1e12, "trillion": 1e12,
    "miliar": 1e9, "milyar": 1e9, "bn": 1e9, "b": 1e9, "billion": 1e9,
    "juta": 1e6, "jt": 1e6, "million": 1e6, "mn": 1e6,
    "ribu": 1e3, "rb": 1e3, "thousand": 1e3, "k": 1e3,
}
ENGLISH_ONLY = {"m": 1e6}
# (thousands separator, decimal separator) of each language, as its Babel locale writes them.
SEPARATORS = {"en": (",", "."), "id": (".", ",")}
_CURRENCY = re.compile(r"^(rp\.?|idr)\s*|\s*(rupiah|idr)$")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_SCIENTIFIC = re.compile(r"^[+-]?\d+(\.\d+)?e[+-]?\d{1,3}$")


class NumberError(ValueError):
    """Typed text that is not a number in the session's language; the message says so, in it."""


def _grammar(lang: str) -> re.Pattern[str]:
    group, point = (re.escape(s) for s in SEPARATORS[lang])
    return re.compile(rf"^[+-]?(\d{{1,3}}({group}\d{{3}})+|\d+)({point}\d+)?$|^[+-]?{point}\d+$")


GRAMMARS = {lang: _grammar(lang) for lang in SEPARATORS}


def _split_size(text: str, lang: str) -> tuple[str, float]:
    words = {**SIZE_WORDS, **(ENGLISH_ONLY if lang == "en" else {})}
    found = re.match(r"^(.*?)\s*([a-z]+)$", text)
    if found and found.group(2) in words and found.group(1):
        return found.group(1), words[found.group(2)]
    return text, 1.0


def parse_number(text: object, lang: str = "en", field: str = "") -> float:
    """The number `text` means in `lang`, as a float; NumberError (message in `lang`, starting
    with `field` when given) for anything else, including non-finite values."""
    t = translator(lang)
    prefix = f"{field}: " if field else ""
    if isinstance(text, bool):
        raise NumberError(prefix + t("{raw} is not a number", raw=repr(text)))
    if isinstance(text, (int, float)):
        value = float(text)
    else:
        raw = str(text)
        parsed = _parse_text(raw, lang) if len(raw) <= MAX_LENGTH else None
        if parsed is None:
            shown = raw if len(raw) <= MAX_LENGTH else raw[:MAX_LENGTH] + "…"
            group, point = SEPARATORS[lang]
            raise NumberError(prefix + t(
                "{raw} is not a number; write it as {example} (thousands with “{group}”, decimals "
                "with “{point}”) or with a word, as {words}", raw=repr(shown), group=group, point=point,
                example=field_text(20_000_000_000, lang), words=t.rupiah(1.5e9).removeprefix("Rp ")))
        value = parsed
    if not math.isfinite(value):
        raise NumberError(prefix + t("{raw} is not a finite number", raw=repr(str(text))[:MAX_LENGTH + 2]))
    return value


def _parse_text(raw: str, lang: str) -> float | None:
    text = _SPACES.sub(" ", raw.strip().lower())
    text = _CURRENCY.sub("", text).strip()
    number, size = _split_size(text, lang)
    number = number.replace(" ", "")
    if GRAMMARS[lang].match(number):
        group, point = SEPARATORS[lang]
        return float(number.replace(group, "").replace(point, ".")) * size
    if _SCIENTIFIC.match(number) and size == 1.0:  # 2e10, as spreadsheets write: unambiguous
        return float(number)
    return None


def field_text(value: float, lang: str = "en") -> str:
    """A number as a field shows it, in the language's separators, that parse_number reads back:
    20.000.000.000 / 20,000,000,000; 0,25 / 0.25 (up to 10 decimals)."""
    return translator(lang).decimal(value)
