"""cakupan's browser app: `python -m viz` (what `./dev.sh app` and `cakupan app` run).

Four pages: Compare (built-in and edited scenarios side by side), Explore (one run step by
step with Mesa's SolaraViz), Sweeps (a sweep results folder from the CLI) and Plan (what it
takes to reach the target: `cakupan optimize` with a front that grows). State lives in
solara reactives and hooks, which Solara keeps per browser session.
"""

import solara
import solara.lab

from viz.pages import compare, explore, plan, sweeps

@solara.component
def Layout(children=[]):  # noqa: B006 - solara's Layout signature
    """Solara's AppLayout with the pages' labels on the tabs (its own tabs show paths)."""
    route, all_routes = solara.use_route()
    router = solara.use_router()
    index = all_routes.index(route) if route in all_routes else 0
    paths = [solara.resolve_path(r) for r in all_routes]  # needs the render context: not in go

    def go(i: int) -> None:
        router.push(paths[i])

    tabs = solara.lab.Tabs(value=index, on_value=go, align="center",
                           children=[solara.lab.Tab(r.label) for r in all_routes])
    return solara.AppLayout(children=[solara.AppBar(children=[tabs]), *children], title="cakupan")


# The root route's layout wraps every page.
routes = [
    solara.Route(path="/", component=compare.Page, label="Compare", layout=Layout),
    solara.Route(path="explore", component=explore.Page, label="Explore"),
    solara.Route(path="sweeps", component=sweeps.Page, label="Sweeps"),
    solara.Route(path="plan", component=plan.Page, label="Plan"),
]
