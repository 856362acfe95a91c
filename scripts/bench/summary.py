"""The machine, the engine versions, and the table of figures against their targets."""
from __future__ import annotations

import os
import platform
import re
import sqlite3
from pathlib import Path


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
             "Each result is the median of three measurements in this run; the spread is their lowest and highest.",
             "", "| figure | result | spread | target | met |", "|---|---|---|---|---|"]
    for key, comparison, target, label in TARGETS:
        value = lookup(results, key)
        met = "—" if not isinstance(value, (int, float)) else (
            "yes" if (value <= target if comparison == "<=" else value >= target) else "**no**")
        spread = results.get("spread", {}).get(key)
        shown = f"{spread['min']:g}–{spread['max']:g}" if spread else "—"
        lines.append(f"| {label} | {value if value is not None else 'skipped'} | {shown} | {comparison} {target} "
                     f"| {met} |")
    floors = [("search.sql.p95_ms", "search.raw_sqlite.p95_ms", "SQL service / raw SQLite"),
              ("search.es.p95_ms", "search.raw_es.p95_ms", "Elasticsearch service / raw client")]
    for service, raw, label in floors:
        if isinstance(lookup(results, service), (int, float)) and lookup(results, raw):
            lines.append(f"| {label} (p95 ratio) | {lookup(results, service) / lookup(results, raw):.2f} | — | <= 1.5 | "
                         f"{'yes' if lookup(results, service) / lookup(results, raw) <= 1.5 else '**no**'} |")
    skipped = [f"- {name}: {value['skipped']}" for name, value in results.items()
               if isinstance(value, dict) and "skipped" in value]
    skipped += [f"- import.postgres_rows_per_s: {results['import']['postgres_rows_per_s']['skipped']}"] \
        if isinstance(results["import"].get("postgres_rows_per_s"), dict) else []
    return "\n".join(lines + ([""] + ["Skipped:"] + skipped if skipped else [])) + "\n"
