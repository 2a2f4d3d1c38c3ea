"""Sweeps page: start a sweep (a file of the library or one uploaded) on the app's shared pool,
watch it and cancel it; choose one of this app's sweeps from a list (or type a folder inside
the results area) and plot a summary output against one swept input, coloured by a second.

The checks, the folders and the list are viz/sweeper.py's: a sweep file from the browser is
checked as `cakupan sweep` checks a file, its size on the server like a comparison's, and it
runs into a folder the server chooses. Everything on the page is in the session's language;
names from files and folders are shown as text, never as HTML or Markdown.
"""

from __future__ import annotations

import solara
import solara.lab

from experiments.figures import SWEEP_LABELS, factor_label
from experiments.i18n import N_, Translator, translator
from viz import backend, charts, state, sweeper
from viz import sweep_folders as folders
from viz.language import use_translator
from viz.upload import FileInput

DESIGN_LABELS = {"grid": N_("grid"), "lhs": N_("Latin hypercube"), "sobol": "Sobol", "saltelli": "Saltelli",
                 "morris": "Morris"}

folder = solara.reactive("")               # a folder typed inside the results area
problem = solara.reactive(None)            # the last problem (opening, uploading, starting)
opened = solara.reactive(None)             # folders.Opened on screen
library_choice = solara.reactive(next(iter(sweeper.library()), ""))
uploaded = solara.reactive(None)           # (source, raw dict) of an uploaded sweep file
use_upload = solara.reactive(False)        # start the uploaded file rather than the library's
scale = solara.reactive(0.005)
replicates = solara.reactive(1)
samples = solara.reactive(4)
progress = solara.reactive((0, 0))         # (runs finished, runs to run)
notice = solara.reactive(None)             # (runs finished, runs to run, folder) of a cancelled sweep
runner = solara.reactive(None)             # the running sweep's executor (for Cancel)
listing = solara.reactive(0)               # bumped when the list of sweeps may have changed


def guarded(handler):
    """An event handler whose errors become the page's message: no traceback on the page."""
    def run(*args, **kwargs):
        try:
            return handler(*args, **kwargs)
        except Exception as error:  # noqa: BLE001 - every error is shown, unexpected ones logged
            problem.value = kept(error)
    return run


def kept(error: Exception) -> Exception:
    """The error as the page keeps it: a user's problem as it is (translated when shown), an
    unexpected one logged once, under the id the page shows."""
    return error if isinstance(error, backend.UserError) else backend.unexpected(error)


def chosen_file() -> tuple[str, dict]:
    if use_upload.value and uploaded.value is not None:
        return uploaded.value
    name = library_choice.value
    return name, sweeper.read(sweeper.library_text(name), name)


def receive(filename: str, data: bytes | None, size: int | None = None) -> None:
    source, text = sweeper.upload_text(filename, data, size)
    raw = sweeper.read(text, source)
    uploaded.value, use_upload.value, problem.value = (source, raw), True, None
    _defaults(raw)


def choose_library(name: str) -> None:
    library_choice.value, use_upload.value = name, False
    _defaults(sweeper.read(sweeper.library_text(name), name))


def _defaults(raw: dict) -> None:
    """The page's settings start small (seconds on a shared machine); the file's own values are
    shown beside them."""
    scale.value, replicates.value = backend.SCALES[0], 1
    samples.value = min(int(raw.get("samples") or 4), 4)


def request() -> sweeper.Request:
    source, raw = chosen_file()
    return sweeper.request(raw, source, scale.value, replicates.value,
                           samples.value if raw.get("design", "grid") != "grid" else None)


def start() -> None:
    """Start the chosen sweep: every limit checked here on the server, into a new folder."""
    if run_sweep.pending or state.run_comparison.pending:
        raise folders.SweepPageError(N_("A comparison or a sweep is already running on this page:"
                                                " wait for it or press Cancel."))
    chosen = request()
    _launch(chosen, sweeper.new_folder(chosen.spec.name))


def resume() -> None:
    """Continue an app sweep where it stopped (and recompute its damaged runs) in its folder."""
    if run_sweep.pending or state.run_comparison.pending:
        raise folders.SweepPageError(N_("A comparison or a sweep is already running on this page:"
                                                " wait for it or press Cancel."))
    target = opened.value.folder
    _launch(sweeper.resume_request(target), target)


def _launch(chosen: sweeper.Request, target) -> None:
    problem.value, notice.value = None, None
    backend.log.info("page %s: sweep of %d runs started", state.owner(), chosen.cost.runs)
    runner.value = backend.POOL.executor(state.owner())
    run_sweep(chosen, target, runner.value)


def cancel() -> None:
    if runner.value is not None:
        dropped = runner.value.cancel()
        backend.log.info("page %s cancelled its sweep: %d waiting runs dropped", state.owner(), dropped)


def open_typed() -> None:
    _open(folders.resolve_folder(folder.value))


def open_listed(relative: str) -> None:
    _open(folders.resolve_folder(relative))


def _open(path) -> None:
    """Open a folder; any problem is one message and the sweep already open stays open."""
    opened.value = folders.open_sweep(path)
    problem.value = None


@solara.lab.task(prefer_threaded=True)
def run_sweep(chosen: sweeper.Request, target, executor):
    """Runs in a thread of this session; every outcome becomes page state, the task never fails."""
    progress.value = (0, 0)
    try:
        if not sweeper.run(chosen, target, executor, lambda done, total: progress.set((done, total))):
            notice.value = (*progress.value, target)    # cancelled: what finished is saved
    except Exception as error:  # noqa: BLE001 - a user's problem, or an id for the rest
        problem.value = kept(error)
    try:
        opened.value = folders.open_sweep(target)
    except Exception as error:  # noqa: BLE001
        problem.value = kept(error)
    listing.value += 1


# ---------------------------------------------------------------------------------- views
def describe(entry: folders.Entry, t: Translator) -> str:
    """One line of the list: everything in it comes from the folder's files, shown as text."""
    status = t("running") if entry.running else t("complete") if entry.done >= entry.runs else t("partial")
    return t("{name} ({folder}), {created}: {done} of {runs} runs, {status}", name=entry.name,
             folder=entry.relative, created=entry.created[:16].replace("T", " "), done=t.number(entry.done),
             runs=t.number(entry.runs), status=status)


def summary_line(result: folders.Opened, t: Translator | None = None) -> str:
    t = t or translator("en")
    manifest = result.results.manifest
    design = manifest.get("design", {})
    kind = design.get("kind") if isinstance(design, dict) else design
    return t("{name} ({path}): {runs} runs, scenarios {scenarios}, design {design}, {done} of {points} points"
             " complete.", name=manifest.get("name"), path=result.relative,
             runs=t.number(len(manifest.get("runs", []))), scenarios=", ".join(map(str, manifest.get("scenarios", {}))),
             design=t(DESIGN_LABELS.get(str(kind), str(kind))), done=t.number(result.points[0]),
             points=t.number(result.points[1]))


@solara.component
def Message(text: str, css_class: str, kind: str = "error"):
    """A message with its line breaks kept: one problem per line, as the CLI prints them."""
    box = solara.Error if kind == "error" else solara.Warning if kind == "warning" else solara.Info
    box(children=[solara.Text(text, style={"white-space": "pre-wrap"})], classes=[css_class])


@solara.component
def SweepPlot(result: folders.Opened):
    t = use_translator()
    lang = t.lang
    summary = result.summary
    factors = [f for f in backend.sweep_factors(result.results) if f in summary]
    outputs = {t(SWEEP_LABELS[c]): c for c in charts.SWEEP_OUTPUTS if c in summary}
    inputs = {factor_label(f, t): f for f in factors}
    name_of = {f: label for label, f in inputs.items()}
    x = solara.use_reactive(factors[0] if factors else None)
    colour = solara.use_reactive(factors[1] if len(factors) > 1 else None)
    y = solara.use_reactive(next(iter(outputs.values()), None))
    if x.value not in factors or y.value not in outputs.values():
        return
    with solara.Row():
        solara.Select(t("Output"), value=t(SWEEP_LABELS[y.value]), values=list(outputs),
                      on_value=lambda label: y.set(outputs[label]))
        solara.Select(t("Swept input (x axis)"), value=name_of[x.value], values=list(inputs),
                      on_value=lambda label: x.set(inputs[label]))
        if len(factors) > 1:
            solara.Select(t("Second input (colour)"), value=name_of.get(colour.value),
                          values=[label for label, f in inputs.items() if f != x.value],
                          on_value=lambda label: colour.set(inputs[label]))
    second = colour.value if colour.value != x.value else None
    # every point drawn, best and worst highlighted, the baseline at its own levers (experiments/figures.py)
    charts.Plot(lambda: charts.sweep_figure(summary, x.value, y.value, second, lang, result.baseline),
                [id(result), x.value, y.value, second, lang])
    solara.FileDownload(lambda: summary.to_csv(index=False).encode("utf-8"),
                        filename="sweep_summary.csv", label=t("Download sweep summary (CSV)"))


@solara.component
def StartCard():
    t = use_translator()
    files = sweeper.library()
    raw = None
    try:
        source, raw = chosen_file()
        cost = request().cost
        estimate = t("{runs} runs, about {seconds} s on this machine.", runs=t.number(cost.runs),
                     seconds=t.number(max(1, cost.seconds)))
    except Exception as error:  # noqa: BLE001 - the reason is shown instead of the estimate
        source, estimate = library_choice.value, folders.message_text(error, t)
    with solara.Card(t("Start a sweep"), subtitle=t("Runs on this app's shared pool into a new folder of"
                                                   " the results area.")):
        solara.Select(t("Sweep from the library"), value=library_choice.value, values=list(files),
                      on_value=guarded(choose_library), classes=["sweep-library"])
        FileInput(t("…or choose a sweep .toml file"), backend.MAX_UPLOAD_BYTES, on_file=guarded(receive))
        if uploaded.value is not None:
            solara.Checkbox(label=t("Start the uploaded file {file}", file=uploaded.value[0]), value=use_upload)
        if raw is not None:
            design = str(raw.get("design", "grid"))
            solara.Text(t("{file}: design {design}, scenarios {scenarios}; the file asks for scale {scale} and"
                          " {replicates} replicates.", file=source, design=t(DESIGN_LABELS.get(design, design)),
                          scenarios=", ".join(map(str, raw.get("scenarios", []))),
                          scale=t.decimal(raw["scale"]) if isinstance(raw.get("scale"), (int, float))
                          else t("the scenarios' own"),
                          replicates=t.number(raw.get("replicates", 4))), classes=["sweep-file"])
        with solara.Row():
            scales = {t.decimal(s): s for s in backend.SCALES}
            solara.Select(t("Scale (fraction of workers simulated)"), value=t.decimal(scale.value),
                          values=list(scales), on_value=lambda label: scale.set(scales[label]))
            solara.InputInt(t("Replicates"), value=replicates)
            if raw is not None and raw.get("design", "grid") != "grid":
                solara.InputInt(t("Samples (design points: lhs, sobol; base samples: saltelli, morris)"),
                                value=samples)
        solara.Text(estimate, classes=["sweep-estimate"])
        solara.Button(t("Start sweep"), color="primary", on_click=guarded(start), disabled=run_sweep.pending,
                      classes=["start-sweep"])
        if run_sweep.pending:
            done, total = progress.value
            solara.ProgressLinear(100 * done / total if total else True)
            solara.Text(t("Running: {done} of {total} runs finished. The page stays usable.",
                          done=t.number(done), total=t.number(total)), classes=["sweep-progress"])
            solara.Button(t("Cancel"), color="error", text=True, on_click=guarded(cancel), classes=["cancel-sweep"])
        if notice.value is not None:
            done, total, _ = notice.value
            Message(t("The sweep was cancelled: {done} of {total} runs had finished and are saved; choose it"
                      " in the list and press Resume to continue it.", done=t.number(done), total=t.number(total)),
                    "sweep-cancelled", "info")


@solara.component
def ChooseCard():
    t = use_translator()
    entries = solara.use_memo(folders.list_sweeps, [listing.value])
    labels = {describe(e, t): e.relative for e in entries}
    current = opened.value.relative if opened.value is not None else None
    with solara.Card(t("This app's sweeps"), subtitle=t("Folders of the results area ({area}), newest first.",
                                                        area=str(folders.results_area()))):
        if labels:
            solara.Select(t("Sweep"), value=next((k for k, v in labels.items() if v == current), None),
                          values=list(labels), on_value=guarded(lambda label: open_listed(labels[label])),
                          classes=["sweep-list"])
        else:
            solara.Text(t("No sweep yet: start one above."))
        solara.Button(t("Refresh the list"), text=True, on_click=lambda: listing.set(listing.value + 1))
        solara.InputText(t("…or a folder inside the results area (from `cakupan sweep --out`)"), value=folder,
                         continuous_update=False, classes=["sweep-folder"])
        solara.Button(t("Open"), color="primary", text=True, on_click=guarded(open_typed), classes=["open-folder"])


@solara.component
def Page():
    t = use_translator()
    solara.Title("cakupan: " + t("sweeps"))
    StartCard()
    ChooseCard()
    if problem.value is not None:
        Message(folders.message_text(problem.value, t), "sweep-problem")
    result = opened.value
    if result is not None:
        solara.Text(summary_line(result, t), classes=["sweep-description"])
        for note in result.notes:
            Message(note.text(t), "sweep-note", "warning")
        if result.resumable:
            solara.Button(t("Resume"), color="primary", on_click=guarded(resume), disabled=run_sweep.pending,
                          classes=["resume-sweep"])
        if not result.summary.empty:
            SweepPlot(result)
