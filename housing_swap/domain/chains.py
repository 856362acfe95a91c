"""Finding swap chains (连环单) and cycles among households that each sell one home and buy one.

The input is a preference graph: ``wants[b]`` lists, best first, the households whose old
home ``b`` would buy. Two kinds of proposal come out (docs/matching.md explains the choice):

* Cycles, by top trading cycles (TTC) with a length cap: every household points at its
  favourite remaining home; the pointers form cycles; a cycle within the cap is proposed and
  leaves the market. A cycle that is too long drops its weakest pointer and TTC continues.
* Chains, by a bounded depth-first search: a chain starts where an outside buyer (the city
  group, or a plain buyer who has reserved the home) takes the last household's old home;
  each household buys the previous one's old home; the first household buys a new unit.
  The longest chain within the cap wins, so each outside purchase moves as many households
  as it can.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Proposal:
    """``households[i]`` buys the old home of ``households[i - 1]``.

    For a cycle the first buys the last one's home. For a chain the first buys a new unit
    and the last one's home goes to the outside ``starter``.
    """

    kind: str                      # "cycle" or "chain"
    households: tuple[int, ...]
    starter: str | None = None     # "city_group" or "buyer" for chains


def find_proposals(wants: dict[int, list[int]], outside_buyer: dict[int, str], buys_new: set[int],
                   max_length: int) -> list[Proposal]:
    """Disjoint proposals: cycles first (they need nobody from outside), then chains."""
    cycles = top_trading_cycles(wants, max_length)
    used = {household for cycle in cycles for household in cycle.households}
    return cycles + bounded_chains(wants, outside_buyer, buys_new, max_length, used)


def top_trading_cycles(wants: dict[int, list[int]], max_length: int) -> list[Proposal]:
    options = {b: [s for s in sellers if s != b] for b, sellers in wants.items()}
    active = set(options)
    found: list[Proposal] = []
    while True:
        _drop_households_without_options(options, active)
        if not active:
            return found
        cycle = _first_cycle(options, active)
        if len(cycle) <= max_length:
            found.append(Proposal("cycle", _canonical(cycle)))
            active -= set(cycle)
        else:
            # Too long to coordinate: the household with most alternatives gives up its favourite.
            weakest = max(cycle, key=lambda b: (len(options[b]), -b))
            options[weakest].pop(0)


def _drop_households_without_options(options: dict[int, list[int]], active: set[int]) -> None:
    changed = True
    while changed:
        changed = False
        for buyer in sorted(active):
            options[buyer] = [s for s in options[buyer] if s in active]
            if not options[buyer]:
                active.discard(buyer)
                changed = True


def _first_cycle(options: dict[int, list[int]], active: set[int]) -> list[int]:
    """Follow favourite pointers from the smallest id until a household repeats.

    Every active household points at an active one, so the walk must close a cycle.
    """
    path: list[int] = []
    seen: dict[int, int] = {}
    household = min(active)
    while household not in seen:
        seen[household] = len(path)
        path.append(household)
        household = options[household][0]
    # path[i] buys path[i + 1]'s home; reversed, each buys the previous one's.
    return list(reversed(path[seen[household]:]))


def _canonical(cycle: list[int]) -> tuple[int, ...]:
    start = cycle.index(min(cycle))
    return tuple(cycle[start:] + cycle[:start])


def bounded_chains(wants: dict[int, list[int]], outside_buyer: dict[int, str], buys_new: set[int],
                   max_length: int, used: set[int]) -> list[Proposal]:
    used = set(used)
    found: list[Proposal] = []
    for last in sorted(outside_buyer):
        if last in used:
            continue
        path = _chain_ending_at(last, wants, buys_new, max_length, used)
        if path:
            found.append(Proposal("chain", tuple(path), outside_buyer[last]))
            used.update(path)
    return found


def _chain_ending_at(last: int, wants: dict[int, list[int]], buys_new: set[int], max_length: int,
                     used: set[int]) -> list[int] | None:
    """[first, ..., last]: the longest chain within the cap (more households served), favourites
    first among equally long ones. At most (choices per household)^(cap - 1) paths are tried."""
    best: list[int] | None = None

    def extend(path: list[int]) -> None:
        nonlocal best
        for seller in wants.get(path[0], []):
            if seller in used or seller in path:
                continue
            candidate = [seller] + path
            if seller in buys_new and (best is None or len(candidate) > len(best)):
                best = candidate
            if len(candidate) < max_length:
                extend(candidate)

    extend([last])
    return best
