"""cakupan's browser app: `solara run viz/app.py` (or `cakupan app`, or `./dev.sh app`).

Three pages: Compare (built-in and edited scenarios side by side), Explore (one run step by
step with Mesa's SolaraViz) and Sweeps (a sweep results folder from the CLI). State lives in
solara reactives and hooks, which Solara keeps per browser session.
"""

import solara

from viz.pages import compare, explore, sweeps

routes = [
    solara.Route(path="/", component=compare.Page, label="Compare"),
    solara.Route(path="explore", component=explore.Page, label="Explore"),
    solara.Route(path="sweeps", component=sweeps.Page, label="Sweeps"),
]
