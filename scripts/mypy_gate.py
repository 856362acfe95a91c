"""`make lint`'s type check: mypy on housing_swap/, held to a recorded baseline that may only shrink.

The baseline (.ci/mypy-baseline.json) counts today's errors per file. A file with more errors
than recorded, or a new file with any, fails the gate; fewer errors pass and ask for the
baseline to be lowered with `--update`, so a fixed error cannot come back unnoticed.
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / ".ci" / "mypy-baseline.json"
ERROR_LINE = re.compile(r"^(?P<path>[^:\s]+\.py):\d+: error: ")


def current_errors() -> tuple[Counter, str]:
    run = subprocess.run([sys.executable, "-m", "mypy", "housing_swap"], cwd=ROOT, capture_output=True, text=True)
    if run.returncode not in (0, 1):  # 2: mypy itself failed (bad configuration, crash)
        sys.exit(f"mypy did not run:\n{run.stdout}{run.stderr}")
    counts = Counter(match["path"] for line in run.stdout.splitlines() if (match := ERROR_LINE.match(line)))
    return counts, run.stdout


def compare(counts: Counter, baseline: dict[str, int]) -> tuple[list[str], list[str]]:
    """Files over their baseline, and files now under it."""
    worse = [f"{path}: {count} errors (baseline {baseline.get(path, 0)})"
             for path, count in sorted(counts.items()) if count > baseline.get(path, 0)]
    better = [f"{path}: {counts.get(path, 0)} errors (baseline {count})"
              for path, count in sorted(baseline.items()) if counts.get(path, 0) < count]
    return worse, better


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="record today's counts as the baseline")
    arguments = parser.parse_args()
    counts, output = current_errors()
    if arguments.update:
        BASELINE.write_text(json.dumps(dict(sorted(counts.items())), indent=2) + "\n", encoding="utf-8")
        print(f"mypy baseline recorded: {sum(counts.values())} errors in {len(counts)} files")
        return 0
    baseline = json.loads(BASELINE.read_text(encoding="utf-8"))
    worse, better = compare(counts, baseline)
    if worse:
        print(output)
        print("mypy: more type errors than the baseline allows:\n  " + "\n  ".join(worse))
        return 1
    print(f"mypy: {sum(counts.values())} errors, baseline {sum(baseline.values())}")
    if better:
        print("fewer errors than recorded; lower the baseline with `python scripts/mypy_gate.py --update`:\n  "
              + "\n  ".join(better))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
