"""`make bench`: city-scale measurements side by side with their baselines and engine floors.

Usage: .venv/bin/python scripts/bench.py [--scale city|small] [--out bench/results.json]
The data set is built once per scale in instance/bench/ and reused. PostgreSQL and Elasticsearch
figures use the servers named by HOUSING_SWAP_BENCH_POSTGRES_URL / HOUSING_SWAP_BENCH_ELASTICSEARCH_URL
(`scripts/services.sh up` prints the defaults); without them those figures are skipped with the
reason. Every comparison is a ratio within this one run; each timing is a median of repeats.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event, func, select  # noqa: E402

from housing_swap import create_app  # noqa: E402
from housing_swap.db.models import (  # noqa: E402
    GoalLedgerEntry,
    Listing,
    OrganizationKind,
    Role,
    SwapApplication,
    Unit,
    User,
)
from housing_swap.demo.seed import SCALES, AlreadySeeded, planned_rows, seed_demo_data  # noqa: E402
from housing_swap.domain import matching as matching_rules  # noqa: E402
from housing_swap.domain.valuation import holdout_mdape  # noqa: E402
from housing_swap.extensions import db  # noqa: E402
from housing_swap.search.es_backend import (  # noqa: E402
    FACET_AGGREGATIONS,
    ElasticsearchBackend,
    alias_name,
    build_query,
    build_sort,
)
from housing_swap.search.query import Kind, parse_search_args  # noqa: E402
from housing_swap.search.sync import reindex  # noqa: E402
from housing_swap.services import (  # noqa: E402
    accounts,
    exports,
    listing_import,
    matching,
    organizations,
    search,
    valuation,
)
from housing_swap.services.progress import ProgressFilters, progress_report  # noqa: E402
from housing_swap.services.reference_data import load_reference_data  # noqa: E402
from housing_swap.services.rules import current_rules  # noqa: E402
from housing_swap.services.spreadsheets import Upload  # noqa: E402

# A fixed mix of filtered text queries with facets (what people type on /search).
QUERY_MIX = [
    {"q": ["金水"], "bedrooms": ["2"]},
    {"q": ["花园"], "district": ["410105", "410190"], "max_price": ["2000000"]},
    {"q": ["jsq"]},
    {"q": ["名苑"], "min_area": ["80"], "max_area": ["120"], "sort": ["price_asc"]},
    {"district": ["410102"], "bedrooms": ["3"], "elevator": ["true"]},
    {"q": ["正商"], "min_build_year": ["2010"]},
    {"min_price": ["1000000"], "max_price": ["1500000"], "sort": ["unit_price_asc"]},
    {"q": ["城"], "district": ["410104"]},
]
REPEATS = 5
IMPORT_ROWS = {"small": 1_000, "city": 10_000}
NAIVE_SAMPLE = 5
HTTP_SECONDS = 15
HTTP_PORT = 5055


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="city")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.json")
    args = parser.parse_args()
    workdir = ROOT / "instance" / "bench"
    workdir.mkdir(parents=True, exist_ok=True)
    database = workdir / f"{args.scale}.sqlite3"
    app = bench_app(f"sqlite:///{database}", workdir)
    results: dict = {"scale": args.scale, "generated_at": datetime.now(UTC).isoformat()}
    with app.app_context():
        step("data set", lambda: results.update(dataset=build_dataset(args.scale)))
        step("search (SQL)", lambda: results.update(search=search_figures()))
        step("matching", lambda: results.update(match=matching_figures()))
        step("progress and export", lambda: results.update(progress=progress_figures(), export=export_figures()))
    scratch = workdir / "import.sqlite3"
    scratch.unlink(missing_ok=True)  # imports go to a scratch database so the data set stays as built
    results["import"] = {"rows": IMPORT_ROWS[args.scale], "sqlite_rows_per_s": step(
        "import (SQLite)", lambda: import_rate(f"sqlite:///{scratch}", IMPORT_ROWS[args.scale], workdir))}
    postgres_url = os.environ.get("HOUSING_SWAP_BENCH_POSTGRES_URL")
    results["import"]["postgres_rows_per_s"] = step("import (PostgreSQL)", lambda: import_rate(
        postgres_url, IMPORT_ROWS[args.scale], workdir)) if postgres_url else {
        "skipped": "HOUSING_SWAP_BENCH_POSTGRES_URL not set (scripts/services.sh up, then export it)"}
    es = step("Elasticsearch", lambda: elasticsearch_figures(database, workdir))
    results["search"].update(es.pop("search", {}))
    results["reindex"] = es
    results["http"] = step("HTTP", lambda: http_figures(database, workdir))
    results["machine"] = machine()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    summary = summarize(results)
    args.out.with_name("summary.md").write_text(summary)
    print(summary)


def step(label: str, run):
    print(f"[bench] {label} …", file=sys.stderr, flush=True)
    started = time.perf_counter()
    value = run()
    print(f"[bench] {label} done in {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    return value


def progress(label: str, total: int):
    """A callback that prints every tenth of the way (long steps must show they are alive)."""
    state = {"done": 0, "shown": 0}

    def advance(count: int) -> None:
        state["done"] += count
        tenth = min(10, state["done"] * 10 // max(total, 1))
        if tenth > state["shown"]:
            state["shown"] = tenth
            print(f"[bench]   {label}: {tenth * 10}%", file=sys.stderr, flush=True)
    return advance


def bench_app(database_url: str, workdir: Path, **overrides):
    """An app on the bench data; its secrets are generated once in ``workdir`` (as in production)."""
    os.environ["HOUSING_SWAP_INSTANCE_PATH"] = str(workdir)
    return create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SEARCH_BACKEND": "sql", **overrides})


def timed(run, repeats: int = REPEATS) -> list[float]:
    """Wall times in milliseconds of ``repeats`` runs after one warm-up."""
    run()
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def percentile(samples: list[float], fraction: float) -> float:
    return round(float(np.percentile(samples, fraction * 100)), 2)


# ----- the data set ------------------------------------------------------------------------------

def build_dataset(scale: str) -> dict:
    upgrade()
    with contextlib.suppress(AlreadySeeded):  # reuse the set built by an earlier run
        seed_demo_data(SCALES[scale], 2024, advance=progress("seeding", planned_rows(SCALES[scale])))
    matching.run_matching(advance=progress("matching", _open_applications()))
    count = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa: E731
    return {"listings": count(Listing), "units": count(Unit), "applications": count(SwapApplication),
            "ledger_entries": count(GoalLedgerEntry)}


# ----- search ------------------------------------------------------------------------------------

def queries():
    return [parse_search_args(mix, Kind.LISTING) for mix in QUERY_MIX]


def search_figures() -> dict:
    service = [sample for query in queries() for sample in timed(lambda q=query: search.search(q))]
    raw = [sample for query in queries() for sample in timed(lambda q=query: raw_sqlite(q))]
    return {"sql": {"p50_ms": percentile(service, 0.5), "p95_ms": percentile(service, 0.95)},
            "raw_sqlite": {"p50_ms": percentile(raw, 0.5), "p95_ms": percentile(raw, 0.95)},
            "queries": len(QUERY_MIX), "repeats": REPEATS}


def raw_sqlite(query) -> None:
    """The floor: the very statements the service sent for this query (captured once), replayed
    straight on the sqlite3 connection with their parameters."""
    connection = db.session.connection().connection.dbapi_connection
    for statement, parameters in _statements_of(query):
        connection.execute(statement, parameters).fetchall()


_CAPTURED: dict = {}


def _statements_of(query) -> list[tuple[str, tuple]]:
    key = repr(query)
    if key not in _CAPTURED:
        captured = []

        def capture(connection, cursor, statement, parameters, context, executemany):
            captured.append((statement, parameters))
        event.listen(db.engine, "before_cursor_execute", capture)
        try:
            search.search(query)
        finally:
            event.remove(db.engine, "before_cursor_execute", capture)
        _CAPTURED[key] = captured
    return _CAPTURED[key]


# ----- matching ----------------------------------------------------------------------------------

def _open_applications() -> int:
    return db.session.scalar(select(func.count()).where(SwapApplication.status.in_(matching.MATCHABLE)))


def matching_figures() -> dict:
    open_ids = db.session.scalars(select(SwapApplication.id).where(
        SwapApplication.status.in_(matching.MATCHABLE)).order_by(SwapApplication.id)).all()
    sample = [db.session.get(SwapApplication, i) for i in open_ids[:50]]
    one = [ms for application in sample for ms in timed(lambda a=application: matching.new_home_matches(a), 3)]
    started = time.perf_counter()
    summary = matching.run_matching(advance=progress("matching (timed)", len(open_ids)))
    batch_s = time.perf_counter() - started
    naive_per_app = naive_seconds_per_application(sample[:NAIVE_SAMPLE])
    mdape, held_out = holdout_mdape(valuation.evidence_frame(date.today()), date.today())
    return {"one_p50_ms": percentile(one, 0.5), "one_p95_ms": percentile(one, 0.95), "batch_s": round(batch_s, 2),
            "batch_applications": summary.applications,
            "naive_batch_s": round(naive_per_app * len(open_ids), 1),
            "naive_note": f"per-pair loop timed on {NAIVE_SAMPLE} applications × all units, extrapolated",
            "speedup_vs_naive": round(naive_per_app * len(open_ids) / batch_s, 1) if batch_s else None,
            "valuation_mdape": round(mdape, 4), "valuation_held_out": held_out}


def naive_seconds_per_application(sample: list[SwapApplication]) -> float:
    """The same constraints and score, one unit at a time in a Python loop (the baseline)."""
    table = matching.unit_table()
    _, rules = current_rules()
    started = time.perf_counter()
    for application in sample:
        request = matching.match_request(application, rules, date.today())
        scored = []
        for row in range(len(table)):
            if matching_rules._hard_constraints(table, slice(row, row + 1), request, rules)[0]:
                parts = matching_rules._score_parts(table, np.array([row]), request)
                scored.append((sum(matching_rules.WEIGHTS[n] * v[0] for n, v in parts.items()), row))
        scored.sort(reverse=True)
    return (time.perf_counter() - started) / max(len(sample), 1)


# ----- reporting ---------------------------------------------------------------------------------

def progress_figures() -> dict:
    samples = timed(lambda: progress_report(ProgressFilters()), 20)
    return {"p50_ms": percentile(samples, 0.5), "p95_ms": percentile(samples, 0.95)}


def export_figures() -> dict:
    officer = db.session.scalar(select(User).where(User.role == Role.CITY_GROUP_OFFICER))
    tables_ms = timed(lambda: exports.workbook(exports.export_tables(ProgressFilters(), officer, 14)), 3)
    return {"xlsx_s": round(statistics.median(tables_ms) / 1000, 2)}


# ----- import ------------------------------------------------------------------------------------

def import_file(rows: int) -> Upload:
    """``rows`` listings made from the import template's example, each a different property."""
    template = pd.read_csv(io.BytesIO(listing_import.import_template("csv")), dtype=str, encoding="utf-8-sig",
                           keep_default_na=False)
    example = template.iloc[0].to_dict()
    base = int(time.time()) % 5_000_000 * 2  # a fresh range of certificate numbers on every run
    frame = pd.DataFrame([{**example, **_unique_fields(example, base + index)} for index in range(rows)])
    return Upload("bench.csv", frame.to_csv(index=False).encode("utf-8-sig"))


def _unique_fields(example: dict, index: int) -> dict:
    changed = {}
    for column, value in example.items():
        if column == "不动产权证号":
            changed[column] = re.sub(r"\d{7}号", f"{index % 10_000_000:07d}号", value)
        elif column == "机构房源编号":
            changed[column] = f"BENCH-{time.time_ns()}-{index}"
        elif column == "房号":
            changed[column] = str(100 + index)
    return changed


def import_rate(database_url: str, rows: int, workdir: Path) -> float:
    """Validated listing import ("all or nothing") of ``rows`` new properties, rows per second."""
    with bench_app(database_url, workdir).app_context():
        upgrade()
        load_reference_data()
        agency = db.session.scalar(select(User).where(User.username == "bench-agency")) or _bench_agency()
        upload = import_file(rows)
        started = time.perf_counter()
        result = listing_import.import_listings(upload, agency, listing_import.ImportMode.ALL_OR_NOTHING)
        return round((result.created + result.updated) / (time.perf_counter() - started), 1)


def _bench_agency() -> User:
    organization = organizations.register_organization(organizations.OrganizationRegistration(
        OrganizationKind.AGENCY, "基准测试经纪机构", f"BENCH-{time.time_ns()}", "测试", "13800000000"), actor=None)
    return accounts.create_staff_user(accounts.StaffAccount(
        "bench-agency", "Bench-pass-2024", "基准测试", Role.AGENCY_STAFF, organization.id), created_by=None)


# ----- Elasticsearch -----------------------------------------------------------------------------

def elasticsearch_figures(database: Path, workdir: Path) -> dict:
    url = os.environ.get("HOUSING_SWAP_BENCH_ELASTICSEARCH_URL")
    if not url:
        return {"skipped": "HOUSING_SWAP_BENCH_ELASTICSEARCH_URL not set (scripts/services.sh up, then export it)"}
    app = bench_app(f"sqlite:///{database}", workdir, SEARCH_BACKEND="elasticsearch", ELASTICSEARCH_URL=url,
                    ELASTICSEARCH_INDEX_PREFIX="hs_bench")
    with app.app_context():
        backend = search.elasticsearch_backend()
        started = time.perf_counter()
        documents = sum(reindex(db.session, backend, kind) for kind in Kind)
        rate = documents / (time.perf_counter() - started)
        service = [s for q in queries() for s in timed(lambda q=q: search.search(q))]
        raw = [s for q in queries() for s in timed(lambda q=q: raw_es(backend, q))]
    return {"es_docs_per_s": round(rate, 1), "documents": documents,
            "search": {"es": {"p50_ms": percentile(service, 0.5), "p95_ms": percentile(service, 0.95)},
                       "raw_es": {"p50_ms": percentile(raw, 0.5), "p95_ms": percentile(raw, 0.95)}}}


def raw_es(backend: ElasticsearchBackend, query) -> None:
    """The floor: the same request body, sent with the plain client and not mapped to results."""
    backend.client.search(index=alias_name(backend.prefix, query.kind), query=build_query(query),
                          sort=build_sort(query), size=query.per_page, track_total_hits=True,
                          aggs=FACET_AGGREGATIONS)


# ----- HTTP --------------------------------------------------------------------------------------

def http_figures(database: Path, workdir: Path) -> dict:
    """wrk against gunicorn (2 workers): first as deployed at scale (Elasticsearch search, when the
    server is there), then on the embedded SQL search."""
    wrk = shutil.which("wrk")
    if wrk is None:
        return {"skipped": "wrk is not installed (apt-get install wrk)"}
    base = {**os.environ, "HOUSING_SWAP_DATABASE_URL": f"sqlite:///{database}",
            "HOUSING_SWAP_INSTANCE_PATH": str(workdir), "HOUSING_SWAP_SEARCH_BACKEND": "sql"}
    es_url = os.environ.get("HOUSING_SWAP_BENCH_ELASTICSEARCH_URL")
    sql = _http_run(wrk, base, load_test=not es_url)
    if not es_url:
        return {"backend": "sql", **sql}
    es = _http_run(wrk, {**base, "HOUSING_SWAP_SEARCH_BACKEND": "elasticsearch",
                         "HOUSING_SWAP_ELASTICSEARCH_URL": es_url, "HOUSING_SWAP_ELASTICSEARCH_INDEX_PREFIX": "hs_bench"},
                   load_test=True)
    return {"backend": "elasticsearch", **es, "sql": sql}


def _http_run(wrk: str, environment: dict, load_test: bool = False) -> dict:
    with gunicorn(environment):
        api = run_wrk(wrk, f"http://127.0.0.1:{HTTP_PORT}/api/v1/listings?q=%E8%8A%B1%E5%9B%AD&district=410105")
        page = run_wrk(wrk, f"http://127.0.0.1:{HTTP_PORT}/search?q=%E8%8A%B1%E5%9B%AD&district=410105")
        load = run_wrk(wrk, f"http://127.0.0.1:{HTTP_PORT}/search?q=%E8%8A%B1%E5%9B%AD", connections=100,
                       seconds=60) if load_test else None
    figures = {} if load is None else {"load_100_clients": {"rps": load["rps"], "p99_ms": load["p99_ms"],
                                                            "non_2xx": load["non_2xx"], "seconds": 60}}
    return {**figures, "search_api_rps": api["rps"], "search_api_p99_ms": api["p99_ms"], "search_api_non_2xx": api["non_2xx"],
            "search_page_rps": page["rps"], "search_page_p99_ms": page["p99_ms"], "connections": 32,
            "seconds": HTTP_SECONDS}


@contextmanager
def gunicorn(environment: dict):
    server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "--workers", "2", "--bind",
                               f"127.0.0.1:{HTTP_PORT}", "housing_swap:create_app()"], cwd=ROOT, env=environment,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", HTTP_PORT)) == 0:
                    break
            time.sleep(0.2)
        yield
    finally:
        server.terminate()
        server.wait(timeout=30)


def run_wrk(wrk: str, url: str, connections: int = 32, seconds: int = HTTP_SECONDS) -> dict:
    output = subprocess.run([wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "--latency", url],
                            capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", output)
    scale = {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {"rps": rps, "p99_ms": round(float(p99.group(1)) * scale, 1),
            "non_2xx": int(errors.group(1)) if errors else 0}


# ----- machine and summary -----------------------------------------------------------------------

def machine() -> dict:
    memory_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    return {"cores": os.cpu_count(), "memory_gib": round(memory_kb / 1024 / 1024, 1),
            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "postgresql": _server_version("HOUSING_SWAP_BENCH_POSTGRES_URL", "SHOW server_version"),
            "elasticsearch": _es_version()}


def _server_version(variable: str, statement: str) -> str | None:
    url = os.environ.get(variable)
    if not url:
        return None
    from sqlalchemy import create_engine, text
    with create_engine(url).connect() as connection:
        return connection.execute(text(statement)).scalar()


def _es_version() -> str | None:
    url = os.environ.get("HOUSING_SWAP_BENCH_ELASTICSEARCH_URL")
    if not url:
        return None
    from elasticsearch import Elasticsearch
    nodes = Elasticsearch(url).nodes.info(filter_path="nodes.*.version")["nodes"]  # the test distribution has no GET /
    return next(iter(nodes.values()))["version"]


TARGETS = [  # (dotted key, comparison, target, label)
    ("search.sql.p95_ms", "<=", 50, "search p95, SQL backend (ms)"),
    ("search.es.p95_ms", "<=", 50, "search p95, Elasticsearch (ms)"),
    ("match.one_p95_ms", "<=", 30, "one application's top 20, p95 (ms)"),
    ("match.batch_s", "<=", 60, "all open applications (s)"),
    ("match.speedup_vs_naive", ">=", 20, "batch speed-up over the per-pair loop (×)"),
    ("match.valuation_mdape", "<=", 0.10, "valuation MdAPE on held-out sales"),
    ("import.sqlite_rows_per_s", ">=", 20_000, "listing import, SQLite (rows/s)"),
    ("import.postgres_rows_per_s", ">=", 10_000, "listing import, PostgreSQL (rows/s)"),
    ("reindex.es_docs_per_s", ">=", 5_000, "Elasticsearch full rebuild (docs/s)"),
    ("progress.p95_ms", "<=", 20, "progress figures p95 (ms)"),
    ("export.xlsx_s", "<=", 5, "full workbook (s)"),
    ("http.search_api_rps", ">=", 300, "search API throughput (req/s)"),
    ("http.search_api_p99_ms", "<=", 200, "search API p99 (ms)"),
    ("http.sql.search_api_rps", ">=", 300, "search API throughput, embedded SQL search (req/s)"),
    ("http.load_100_clients.non_2xx", "<=", 0, "load test, 100 clients for 60 s: non-2xx answers"),
]


def lookup(results: dict, dotted: str):
    value = results
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def summarize(results: dict) -> str:
    lines = [f"# Benchmark results ({results['scale']} scale, {results['generated_at'][:16]} UTC)", "",
             "Data set: " + ", ".join(f"{k} {v}" for k, v in results["dataset"].items()), "",
             "| figure | result | target | met |", "|---|---|---|---|"]
    for key, comparison, target, label in TARGETS:
        value = lookup(results, key)
        met = "—" if not isinstance(value, (int, float)) else (
            "yes" if (value <= target if comparison == "<=" else value >= target) else "**no**")
        lines.append(f"| {label} | {value if value is not None else 'skipped'} | {comparison} {target} | {met} |")
    floors = [("search.sql.p95_ms", "search.raw_sqlite.p95_ms", "SQL service / raw SQLite"),
              ("search.es.p95_ms", "search.raw_es.p95_ms", "Elasticsearch service / raw client")]
    for service, raw, label in floors:
        if isinstance(lookup(results, service), (int, float)) and lookup(results, raw):
            lines.append(f"| {label} (p95 ratio) | {lookup(results, service) / lookup(results, raw):.2f} | <= 1.5 | "
                         f"{'yes' if lookup(results, service) / lookup(results, raw) <= 1.5 else '**no**'} |")
    skipped = [f"- {name}: {value['skipped']}" for name, value in results.items()
               if isinstance(value, dict) and "skipped" in value]
    skipped += [f"- import.postgres_rows_per_s: {results['import']['postgres_rows_per_s']['skipped']}"] \
        if isinstance(results["import"].get("postgres_rows_per_s"), dict) else []
    return "\n".join(lines + ([""] + ["Skipped:"] + skipped if skipped else [])) + "\n"


if __name__ == "__main__":
    main()
