"""`make bench`: city-scale measurements side by side with their baselines and engine floors.

Usage: .venv/bin/python -m scripts.bench [--scale small|district|city|province] [--out FILE]
The data set is built once per scale in instance/bench/ and reused (a province seed stopped part
way resumes). Results go to bench/results.json (city) or bench/results-<scale>.json, the summary
beside them; every run also redraws the growth plot (docs/growth.png) from the scales on file. PostgreSQL and Elasticsearch
figures use the servers named by HOUSING_SWAP_BENCH_POSTGRES_URL / HOUSING_SWAP_BENCH_ELASTICSEARCH_URL
(`scripts/services.sh up` prints the defaults); without them those figures are skipped with the
reason. Every comparison is a ratio within this one run; each timing is a median of repeats.
"""
from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path

from housing_swap.demo.seed import SCALES

from .common import IMPORT_ROWS, ROOT, bench_app, measured, step
from .dataset import build_dataset
from .growth import PLOT, growth_table, measured_scales, plot, result_file
from .http import http_figures
from .imports import import_figures
from .matching import matching_figures
from .reporting import export_figures, progress_figures
from .search import elasticsearch_figures, search_figures
from .summary import machine, summarize


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="city")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    out = args.out or result_file(ROOT / "bench", args.scale)
    workdir = ROOT / "instance" / "bench"
    workdir.mkdir(parents=True, exist_ok=True)
    database = workdir / f"{args.scale}.sqlite3"
    app = bench_app(f"sqlite:///{database}", workdir)
    results: dict = {"scale": args.scale, "generated_at": datetime.now(UTC).isoformat(), "spread": {}}

    def keep(name: str, run) -> None:
        figures, spreads = measured(name, run)
        results[name] = figures
        results["spread"].update({f"{name}.{key}": spread for key, spread in spreads.items()})

    with app.app_context():
        step("data set", lambda: results.update(dataset=build_dataset(args.scale)))
        keep("search", search_figures)
        keep("match", matching_figures)
        keep("progress", progress_figures)
        keep("export", export_figures)
    scratch = workdir / "import.sqlite3"
    scratch.unlink(missing_ok=True)  # imports go to a scratch database so the data set stays as built
    keep("import", lambda: import_figures(scratch, workdir, IMPORT_ROWS[args.scale]))
    keep("reindex", lambda: elasticsearch_figures(database, workdir))
    results["search"].update(results["reindex"].pop("search", {}))  # the ES search figures sit with search
    results["spread"] = {key.removeprefix("reindex.") if key.startswith("reindex.search.") else key: spread
                         for key, spread in results["spread"].items()}
    keep("http", lambda: http_figures(database, workdir))
    results["machine"] = machine()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    summary = summarize(results) + _growth(out.parent)
    out.with_name(out.name.replace("results", "summary").replace(".json", ".md")).write_text(summary)
    print(summary)


def _growth(bench_dir: Path) -> str:
    """The growth section of the summary, and the plot, once two or more scales are on file."""
    runs = measured_scales(bench_dir)
    if len(runs) < 2:
        return ""
    plot(runs, ROOT / PLOT)
    return "\n".join(["", "## Growth", "", f"Plot: {PLOT}", "", *growth_table(runs)]) + "\n"


if __name__ == "__main__":
    main()
