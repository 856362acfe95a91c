"""How the search and match figures grow with the data set: the results of every scale measured
so far (bench/results*.json), as a table for the summary and a plot for docs/performance.md."""
from __future__ import annotations

import json
from pathlib import Path

from .summary import lookup

# The scales of the growth curve and where each one's results are kept (the city's under the
# name every earlier run used, so runs compare).
RESULT_FILES = {"district": "results-district.json", "city": "results.json", "province": "results-province.json"}
REFERENCE_SCALE = "city"
FIGURES = [  # (dotted key, label, largest/reference ratio target or None where the figure is reported only)
    ("search.es.p95_ms", "search p95, Elasticsearch (ms)", 1.5),
    ("search.sql.p95_ms", "search p95, embedded SQL (ms)", None),
    ("match.one_p95_ms", "one application's top 20, p95 (ms)", 1.5),
    ("match.batch_s", "all open applications (s)", None),
]
PLOT = Path("docs") / "growth.png"


def result_file(bench_dir: Path, scale: str) -> Path:
    return bench_dir / RESULT_FILES.get(scale, f"results-{scale}.json")


def measured_scales(bench_dir: Path) -> list[dict]:
    """The growth scales' results on file, smallest data set first."""
    runs = [json.loads(path.read_text()) for scale in RESULT_FILES
            if (path := result_file(bench_dir, scale)).exists()]
    return sorted(runs, key=lambda run: run["dataset"]["listings"])


def growth_table(runs: list[dict]) -> list[str]:
    """Markdown lines: each figure at each scale, and the largest scale's over the next largest
    (the targets hold for the largest over the city's)."""
    larger, smaller = runs[-1], runs[-2]
    judged = smaller["scale"] == REFERENCE_SCALE
    lines = ["| figure | " + " | ".join(f"{run['dataset']['listings']:,} listings" for run in runs)
             + f" | {larger['scale']} / {smaller['scale']} | target |",
             "|---|" + "---|" * len(runs) + "---|---|"]
    for key, label, target in FIGURES:
        values = [lookup(run, key) for run in runs]
        ratio = _ratio(lookup(larger, key), lookup(smaller, key))
        verdict = ("—" if target is None or ratio is None or not judged
                   else f"<= {target} ({'yes' if ratio <= target else '**no**'})")
        lines.append(f"| {label} | " + " | ".join(_shown(value) for value in values)
                     + f" | {f'{ratio:.2f}×' if ratio is not None else '—'} | {verdict} |")
    return lines


def plot(runs: list[dict], path: Path) -> None:
    """p95 (and the batch's seconds) against listings, one line per figure, log-log."""
    import matplotlib
    matplotlib.use("Agg")  # files only: no display on the bench machine
    from matplotlib import pyplot, ticker

    figure, axes = pyplot.subplots(figsize=(8, 5), dpi=120)
    for key, label, _ in FIGURES:
        points = [(run["dataset"]["listings"], value) for run in runs
                  if isinstance(value := lookup(run, key), (int, float))]
        if points:
            axes.plot(*zip(*points, strict=True), marker="o", label=label)
    axes.set_xscale("log")
    axes.set_yscale("log")
    sizes = [run["dataset"]["listings"] for run in runs]
    axes.set_xticks(sizes, [f"{size:,}" for size in sizes])
    axes.yaxis.set_major_formatter(ticker.FuncFormatter(lambda value, _: f"{value:g}"))
    axes.set_xlabel("listings in the data set (units: half as many)")
    axes.set_ylabel("ms (batch: s)")
    axes.set_title("How the search and match figures grow with the data set")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend()
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    pyplot.close(figure)


def _ratio(value, reference) -> float | None:
    if isinstance(value, (int, float)) and isinstance(reference, (int, float)) and reference:
        return value / reference
    return None


def _shown(value) -> str:
    return f"{value:g}" if isinstance(value, (int, float)) else "—"
