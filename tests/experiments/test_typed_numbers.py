"""The number parser of the app's fields (experiments/typed_numbers.py): what the app writes it
reads back in both languages, planners' ways of writing amounts are read, and anything else gets
one NumberError in the session's language, never another exception."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from experiments.i18n import translator
from experiments.typed_numbers import MAX_LENGTH, NumberError, field_text, parse_number

LANGS = st.sampled_from(["en", "id"])


@pytest.mark.parametrize(("lang", "text", "value"), [
    ("id", "20.000.000.000", 20e9), ("en", "20,000,000,000", 20e9),
    ("id", "20000000000", 20e9), ("en", "20000000000", 20e9),
    ("id", "20 miliar", 20e9), ("en", "20 miliar", 20e9), ("en", "20 bn", 20e9),
    ("id", "Rp 1,5 triliun", 1.5e12), ("en", "Rp 1.5 tn", 1.5e12), ("en", "1.5 bn", 1.5e9),
    ("id", "Rp 250 juta", 250e6), ("en", "250 m", 250e6), ("en", "250 million rupiah", 250e6),
    ("id", "Rp 16.800", 16_800), ("en", "Rp16,800", 16_800), ("id", "16,8 rb", 16_800),
    ("id", "0,25", 0.25), ("en", "0.25", 0.25), ("en", ".5", 0.5), ("id", "  3.000 ", 3000),
    ("en", "2e+10", 2e10), ("id", "1\u00a0500", 1500),
])
def test_planners_ways_of_writing_numbers_are_read(lang, text, value):
    assert parse_number(text, lang) == pytest.approx(value, rel=1e-12)


@pytest.mark.parametrize(("lang", "text"), [
    ("id", "1.5"),          # "." groups thousands in Bahasa Indonesia: 1.5 is neither 15 nor 1,5
    ("en", "1,5"), ("id", "20,000,000,000"), ("en", "20.000.000.000"),
    ("id", "250 m"),        # m is million in English, M miliar in Indonesian usage: not guessed
    ("en", "nan"), ("id", "NaN"), ("en", "inf"), ("id", "-inf"), ("en", "infinity"),
    ("en", "1e400"), ("id", ""), ("en", "   "), ("id", "abc"), ("en", "1,00,000"),
    ("en", "Rp"), ("id", "juta"), ("en", "1e5 bn"), ("id", "0x10"), ("en", "1_000"),
    ("en", "9" * (MAX_LENGTH + 1)), ("id", "<b>5</b>"), ("en", True), ("id", None),
])
def test_anything_else_gets_one_message_naming_the_field(lang, text):
    with pytest.raises(NumberError) as refused:
        parse_number(text, lang, field="Budget")
    assert str(refused.value).startswith("Budget: ")
    assert len(str(refused.value)) < 300


def test_the_message_is_in_the_sessions_language():
    with pytest.raises(NumberError, match="bukan angka; tulis sebagai 20.000.000.000"):
        parse_number("abc", "id", field="Anggaran")
    with pytest.raises(NumberError, match="not a number; write it as 20,000,000,000"):
        parse_number("abc", "en", field="Budget")


@settings(max_examples=300, deadline=None)
@given(LANGS, st.integers(min_value=0, max_value=10**15))
def test_a_whole_number_written_by_the_app_reads_back_exactly(lang, value):
    assert parse_number(field_text(value, lang), lang) == value


@settings(max_examples=300, deadline=None)
@given(LANGS, st.floats(min_value=0, max_value=1e13, allow_nan=False))
def test_a_decimal_written_by_the_app_reads_back(lang, value):
    # a field shows up to 10 decimals: the value comes back to that precision
    assert math.isclose(parse_number(field_text(value, lang), lang), value, rel_tol=1e-12, abs_tol=1e-10)


@settings(max_examples=300, deadline=None)
@given(LANGS, st.floats(min_value=1e6, max_value=1e15, allow_nan=False))
def test_an_amount_in_words_written_by_the_app_reads_back(lang, value):
    # "Rp 1,5 miliar": one decimal of its size word, so within half a tenth of that size
    written = translator(lang).rupiah(value)
    size = max(s for s in (1e6, 1e9, 1e12) if s <= value)
    assert abs(parse_number(written, lang) - value) <= 0.05 * size * (1 + 1e-9)


@settings(max_examples=500, deadline=None)
@given(LANGS, st.text(max_size=80))
def test_hostile_text_gives_a_number_or_the_documented_error(lang, text):
    try:
        value = parse_number(text, lang, field="x")
    except NumberError as refused:
        assert str(refused).startswith("x: ")
    else:
        assert math.isfinite(value)


@settings(max_examples=300, deadline=None)
@given(LANGS, st.from_regex(r"[0-9.,eE+\- ]{1,30}(juta|miliar|bn|m|k|nan|inf)?", fullmatch=True))
def test_number_like_text_gives_a_number_or_the_documented_error(lang, text):
    try:
        assert math.isfinite(parse_number(text, lang))
    except NumberError:
        pass
