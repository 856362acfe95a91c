"""The chain finder on hand-made cases: cycles, chains, the cap and what a decline leaves."""
from housing_swap.domain.chains import Proposal, find_proposals, top_trading_cycles


def test_three_cycle_is_found_with_each_buying_the_previous_home():
    # 1 wants 3's home, 2 wants 1's, 3 wants 2's.
    wants = {1: [3], 2: [1], 3: [2]}
    assert top_trading_cycles(wants, max_length=4) == [Proposal("cycle", (1, 2, 3))]


def test_cycle_longer_than_the_cap_is_not_proposed():
    wants = {1: [5], 2: [1], 3: [2], 4: [3], 5: [4]}
    assert top_trading_cycles(wants, max_length=4) == []
    assert top_trading_cycles(wants, max_length=5) == [Proposal("cycle", (1, 2, 3, 4, 5))]


def test_favourites_win_over_second_choices():
    # 1 and 2 want each other's homes first; 3 also wants 1's home but comes second.
    wants = {1: [2, 3], 2: [1], 3: [1]}
    assert top_trading_cycles(wants, max_length=4) == [Proposal("cycle", (1, 2))]


def test_four_chain_from_city_group_to_developer_stock():
    # 4's home goes to the city group; 4 buys 3's, 3 buys 2's, 2 buys 1's, 1 buys new.
    wants = {4: [3], 3: [2], 2: [1]}
    found = find_proposals(wants, outside_buyer={4: "city_group"}, buys_new={1}, max_length=4)
    assert found == [Proposal("chain", (1, 2, 3, 4), "city_group")]


def test_chain_longer_than_the_cap_is_cut_off():
    wants = {5: [4], 4: [3], 3: [2], 2: [1]}
    assert find_proposals(wants, {5: "buyer"}, {1}, max_length=4) == []


def test_chain_needs_a_household_that_buys_new_at_its_start():
    wants = {3: [2], 2: [1]}
    assert find_proposals(wants, {3: "city_group"}, buys_new=set(), max_length=4) == []


def test_chain_broken_by_one_decline_is_rebuilt_around_it_or_not_at_all():
    # First run: 1 → 2 → 3 (city group). Household 2 declines buying 1's home, so that pair is
    # removed from the graph; with an alternative seller (5), the chain re-forms through it.
    wants = {3: [2], 2: [1, 5]}
    first = find_proposals(wants, {3: "city_group"}, buys_new={1, 5}, max_length=4)
    assert first == [Proposal("chain", (1, 2, 3), "city_group")]
    after_decline = {3: [2], 2: [5]}
    assert find_proposals(after_decline, {3: "city_group"}, {1, 5}, 4) == [Proposal("chain", (5, 2, 3), "city_group")]
    no_alternative = {3: [2], 2: []}
    assert find_proposals(no_alternative, {3: "city_group"}, {1}, 4) == []


def test_households_are_used_at_most_once_across_proposals():
    wants = {1: [2], 2: [1], 3: [1], 4: [3]}
    found = find_proposals(wants, {4: "city_group", 3: "city_group"}, buys_new={1, 2}, max_length=4)
    households = [h for proposal in found for h in proposal.households]
    assert len(households) == len(set(households))
    assert found[0] == Proposal("cycle", (1, 2))
