"""Read the Lighthouse reports scripts/lighthouse.sh wrote and hold them to the bar: performance
and accessibility 100, best practices and SEO at least 95. Prints a table; exits 1 below the bar.

    python scripts/lighthouse_scores.py lighthouse-reports home search listing project community
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

BAR = {"performance": 100, "accessibility": 100, "best-practices": 95, "seo": 95}


def scores(report: Path) -> dict[str, int]:
    categories = json.loads(report.read_text())["categories"]
    return {name: round(100 * (categories[name]["score"] or 0)) for name in BAR}


def main(folder: str, pages: list[str]) -> int:
    below = []
    print(f"{'page':<10}" + "".join(f"{name:>16}" for name in BAR))
    for page in pages:
        found = scores(Path(folder) / f"{page}.report.json")
        print(f"{page:<10}" + "".join(f"{found[name]:>16}" for name in BAR))
        below += [f"{page} {name} {found[name]} < {bar}" for name, bar in BAR.items() if found[name] < bar]
    for line in below:
        print(f"below the bar: {line}")
    return 1 if below else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2:]))
