"""cakupan's browser app: `python -m viz` (what `./dev.sh app` and `cakupan app` run).

Four pages: Compare (built-in and edited scenarios side by side), Explore (one run step by
step, with its own step / play / reset), Sweeps (start, choose and plot sweeps) and Plan
(what it takes to reach the target: `cakupan optimize` with a front that grows). State lives in
solara reactives and hooks, which Solara keeps per browser session.

Where the app's checks live: viz/backend.py (uploads, limits, error ids), viz/state.py (one
comparison per page, cancel, cleanup when a page closes), viz/pool.py (fair sharing of the
cores), viz/assets.py (no asset from outside), and here (a page whose rendering fails shows an
error id, not a traceback).
"""

import warnings

import solara
import solara.lab
import solara.server.settings

from experiments.i18n import N_
from viz import assets, backend
from viz.language import LanguageSwitch, restore, use_translator
from viz.pages import compare, explore, plan, sweeps

assets.forbid_cdn()  # the server never fetches from outside: a missing asset is a logged error
# No English from the framework on a page in Bahasa Indonesia: no "This website runs on Solara"
# banner, and the plain loader (its progress bar) instead of "Made with Solara".
solara.server.settings.theme.show_banner = False
solara.server.settings.theme.loader = "plain"
# On http://127.0.0.1 solara warns on the first request that a samesite=none cookie needs https
# and falls back to samesite=lax, which is what an app that is never embedded in another site's
# frame wants: the warning asks nothing of a planner, so it is not printed.
warnings.filterwarnings("ignore", message="Cookies with samesite=none require https", category=UserWarning)


# Layout rules for every page (at 1400 px and narrower): card titles wrap between words (vuetify
# breaks them anywhere: "paling b / esar"), buttons' labels wrap instead of running past the
# card's edge, and a wide table scrolls inside its card instead of overflowing it.
APP_CSS = """
.v-card__title, .v-card__subtitle { word-break: normal; overflow-wrap: break-word; hyphens: manual; }
.v-btn:not(.v-btn--icon) { max-width: 100%; height: auto !important; min-height: 36px; }
.v-btn:not(.v-btn--icon) .v-btn__content { white-space: normal; flex-shrink: 1; text-align: left; }
.summary-table { overflow-x: auto; max-width: 100%; }
.v-card { max-width: 100%; }
"""


@solara.component
def Guard(children=[]):  # noqa: B006 - solara's children signature
    """Catches an error while a page renders: one short message with an id (the traceback goes
    to the server log) and a button back to the page, whose state is kept."""
    exception, clear = solara.use_exception()
    text = solara.use_memo(lambda: backend.explain(exception) if exception else None, [id(exception)])
    if exception is None:
        return solara.Column(children=children)
    with solara.Column() as main:
        solara.Error(children=[solara.Text(text)], classes=["page-error"])
        solara.Button(use_translator()("Back to the page"), on_click=clear)
    return main


@solara.component
def Layout(children=[]):  # noqa: B006 - solara's Layout signature
    """Solara's AppLayout with the pages' labels on the tabs (its own tabs show paths) and the
    language switch; the session's language is restored once when the layout mounts.

    The tabs' paths are resolved while rendering (solara.resolve_path needs the render
    context); the click handler only pushes one of them, so every tab works from every page,
    and the browser's back and forward buttons move between pages."""
    _ = use_translator()
    solara.use_effect(restore, [])
    route, all_routes = solara.use_route()
    router = solara.use_router()
    index = all_routes.index(route) if route in all_routes else 0
    paths = [solara.resolve_path(r) for r in all_routes]  # needs the render context: not in `go`

    def go(i: int) -> None:
        if paths[i] != router.path:
            router.push(paths[i])

    tabs = solara.lab.Tabs(value=index, on_value=go, align="center",
                           children=[solara.lab.Tab(_(r.label), classes=[f"tab-{r.label.lower()}"])
                                     for r in all_routes])
    # the style goes inside the page's column: a first child of AppLayout would become a sidebar
    return solara.AppLayout(children=[solara.AppBar(children=[tabs, LanguageSwitch()]),
                                      Guard(children=[solara.Style(APP_CSS), *children])],
                            title="cakupan")


# The root route's layout wraps every page.
routes = [
    solara.Route(path="/", component=compare.Page, label=N_("Compare"), layout=Layout),
    solara.Route(path="explore", component=explore.Page, label=N_("Explore")),
    solara.Route(path="sweeps", component=sweeps.Page, label=N_("Sweeps")),
    solara.Route(path="plan", component=plan.Page, label=N_("Plan")),
]
