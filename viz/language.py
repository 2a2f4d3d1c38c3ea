"""The page's language, chosen with the switch in the app bar and kept for the browser session.

The choice is a Solara reactive: one value per page (virtual kernel), kept across the app's tabs
and the browser's back and forward buttons (they change the route, not the page). A reload starts
a new virtual kernel, so the choice is also remembered by Solara's session id (its cookie, which a
reload keeps; another browser has its own) and restored when the layout mounts; the URL stays
free of it, so a link shared with a colleague opens in their own language. Checked in a real
browser by tests/viz/browser/test_language.py (switch, change tabs, reload, back, forward).
Components read it with `use_translator()`, so switching re-renders every visible string.
"""

from __future__ import annotations

from collections import OrderedDict

import solara

from experiments import i18n

language = solara.reactive(i18n.DEFAULT)
# Session id -> language, the most recent sessions kept (a few bytes each).
MAX_SESSIONS = 10_000
_by_session: OrderedDict[str, str] = OrderedDict()


def _session() -> str | None:
    try:
        return solara.get_session_id()
    except Exception:  # outside a browser session (tests, scripts)  # noqa: BLE001
        return None


def set_language(lang: str) -> None:
    """Switch this session to `lang` (one of i18n.LANGUAGES; anything else is refused)."""
    i18n.check_language(lang)
    language.set(lang)
    session = _session()
    if session is not None:
        _by_session[session] = lang
        _by_session.move_to_end(session)
        while len(_by_session) > MAX_SESSIONS:
            _by_session.popitem(last=False)


def restore() -> None:
    """Take this session's earlier choice, if any (called once when the layout mounts)."""
    session = _session()
    if session is not None and session in _by_session and language.value != _by_session[session]:
        language.set(_by_session[session])


def use_translator() -> i18n.Translator:
    """The translator of this session's language; the calling component re-renders on a switch."""
    return i18n.translator(language.value)


@solara.component
def LanguageSwitch():
    """Buttons naming each language in itself (English, Bahasa Indonesia)."""
    names = list(i18n.LANGUAGES.values())
    codes = {name: code for code, name in i18n.LANGUAGES.items()}
    solara.ToggleButtonsSingle(value=i18n.LANGUAGES[language.value], values=names,
                               on_value=lambda name: set_language(codes[name]),
                               classes=["language-switch"])
