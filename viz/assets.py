"""Put the JavaScript and CSS that Solara's page loads from a CDN into Solara's local cache.

Solara serves its front end through a proxy at ``/_solara/cdn/<package>@<version>/<file>``: it
answers from a cache directory and, on a miss, downloads from a public CDN. Planners' machines
are offline, so ``./dev.sh setup`` runs ``python -m viz.assets`` to fill that cache from the npm
registry with ``npm pack`` (the ordinary npm client), and the page never needs the CDN.

The package *names* the app needs are listed here; their *versions* are read from the installed
solara's own templates and widgets, so upgrading solara picks up the matching assets.
The browser test fails if any page asset is missing or leaves 127.0.0.1.

At run time `forbid_cdn()` (called by viz/app.py) replaces the proxy's download with a refusal:
the server never asks the CDN, and an asset missing from the cache is one line in the server log
(OFFLINE_MARK) and a 404-like failure for that asset, which the browser tests look for. The
features whose assets are not cached (solara's Markdown: mermaid, KaTeX) are not used.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

# npm packages the app's page loads through the proxy: the page shell (Vue 2 + Vuetify 2, as
# ipyvuetify<3 needs), the module loader, icons, Mesa's draggable grid, and Vega for Altair charts.
NEEDED = ("@widgetti/solara-vuetify-app", "requirejs", "font-awesome", "@widgetti/vue-grid-layout",
          "vega", "vega-lite", "vega-embed")

_SPEC = re.compile(r"(?:\{\{cdn\}\}|getCdn\(\)\}|\{\{cdn\}\}\{\{assets\.fontawesome_path\}\})/"
                   r"((?:@[\w.-]+/)?[\w.-]+)@([\w.+-]+)/")


OFFLINE_MARK = "cakupan offline: not fetching"


def forbid_cdn() -> None:
    """Make solara's CDN proxy answer only from the local cache, never from the network."""
    import logging

    from solara.server import cdn_helper

    log = logging.getLogger("cakupan.app")

    def refuse(url) -> bytes:
        log.error("%s %s (not in the local asset cache; run ./dev.sh setup)", OFFLINE_MARK, url)
        raise FileNotFoundError(f"{url} is not in the local asset cache")

    cdn_helper.fetch_from_cdn = refuse


def cache_dir() -> Path:
    """Where solara's CDN proxy looks (SOLARA_ASSETS_PROXY_CACHE_DIR, default <prefix>/share/solara/cdn)."""
    from solara.server import settings
    return Path(settings.assets.proxy_cache_dir)


def required_specs() -> list[str]:
    """'name@version' of every NEEDED package, versions as the installed solara references them."""
    import solara
    from solara.server import settings

    root = Path(solara.__file__).parent
    found: dict[str, str] = {}
    for path in [*root.glob("server/templates/*.j2"), *root.glob("widgets/vue/*.vue")]:
        for name, version in _SPEC.findall(path.read_text(encoding="utf-8")):
            found.setdefault(name, version)
    fontawesome = settings.assets.fontawesome_path.strip("/").split("/")[0]  # font-awesome@4.5.0
    found.setdefault(*fontawesome.split("@"))
    missing = [name for name in NEEDED if name not in found]
    if missing:
        raise SystemExit(f"solara no longer references {missing}; update viz/assets.py NEEDED")
    return [f"{name}@{found[name]}" for name in NEEDED]


def install(spec: str, target_root: Path) -> Path:
    """npm pack `spec` and unpack it into target_root/spec (the proxy's path layout)."""
    target = target_root / spec
    marker = target / ".cakupan-complete"
    if marker.exists():
        return target
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("npm not found: install Node.js and npm (Debian: apt-get install npm)")
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run([npm, "pack", "--silent", spec], cwd=tmp, check=True,
                             capture_output=True, text=True).stdout.strip().splitlines()[-1]
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        with tarfile.open(Path(tmp) / out) as archive:
            for member in archive.getmembers():
                member.name = member.name.split("/", 1)[1] if "/" in member.name else ""
                if member.name and (member.isfile() or member.isdir()):
                    archive.extract(member, target, filter="data")
    marker.touch()
    return target


def main() -> None:
    root = cache_dir()
    for spec in required_specs():
        path = install(spec, root)
        print(f"{spec:45s} {path}")


if __name__ == "__main__":
    sys.exit(main())
