"""Every use case that changes state leaves an audit event.

The use cases are enumerated from the services package: each public function that is a use case
(or runs units of work, or commits apart) is checked to reach ``record_event`` itself or through the module's own helpers it calls. The few
that change only a user's own preferences or bookkeeping are listed with the reason.
"""
import ast
import pathlib

import housing_swap.services
from housing_swap.domain import audit_labels
from housing_swap.services.organizations import DECISIONS

SERVICES = pathlib.Path(housing_swap.services.__file__).parent

NOT_AUDITED = {
    ("alerts", "save_search"): "a user's own saved search (a preference, no effect on others)",
    ("alerts", "unsubscribe"): "a user's own alert preference",
    ("notifications", "mark_read"): "a user's own notification read mark",
    ("notifications", "mark_all_read"): "a user's own notifications read marks",
    ("notifications", "set_choices"): "a user's own choice of delivery channels",
    ("acquisitions", "remind_offers_due"): "system job writing reminders; each notification is its own record",
    ("chain_milestones", "notify_overdue"): "system job writing reminders; each notification is its own record",
    ("alerts", "run_alerts"): "system job writing notifications; each notification is its own record",
    ("favourites", "toggle_favourite"): "a user's own favourites list",
    ("idempotency", "run_once"): "stores the answer of a use case that audits itself",
    ("rate_limits", "count_attempt"): "counter buckets; refused sign-ins are audited by accounts",
    ("acquisitions", "expire_offers"): "system job; each expiry goes through the audited step helper",
    ("jobs", "queue_job"): "job bookkeeping: the job's own use cases audit what it changes",
    ("jobs", "start"): "job bookkeeping (state, attempts)",
    ("jobs", "succeed"): "job bookkeeping; the work it did was audited by its own use cases",
    ("jobs", "cancelled"): "job bookkeeping; a cancelled job wrote nothing",
    ("jobs", "requeue_lost_jobs"): "job bookkeeping: a lost job goes back to the queue",
}


def _functions(tree: ast.Module) -> dict[str, ast.FunctionDef]:
    return {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}


def _called_names(function: ast.FunctionDef) -> set[str]:
    return {node.func.id if isinstance(node.func, ast.Name) else node.func.attr
            for node in ast.walk(function) if isinstance(node, ast.Call)
            and isinstance(node.func, (ast.Name, ast.Attribute))}


def _reaches_audit(name: str, functions: dict[str, ast.FunctionDef], seen: set[str]) -> bool:
    if name in seen or name not in functions:
        return False
    seen.add(name)
    called = _called_names(functions[name])
    return "record_event" in called or any(_reaches_audit(callee, functions, seen) for callee in called)


def _commits(function: ast.FunctionDef) -> bool:
    """A use case (decorated, or running units of work), or one of the few that commit apart."""
    decorated = any(isinstance(d, ast.Name) and d.id == "use_case" for d in function.decorator_list)
    return decorated or any(
        (isinstance(node, ast.Attribute) and node.attr == "commit")
        or (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "unit_of_work")
        for node in ast.walk(function))


def state_changing_use_cases() -> list[tuple[str, str, bool]]:
    found = []
    for path in sorted(SERVICES.glob("*.py")):
        if path.stem == "unit_of_work":  # the boundary, not a use case
            continue
        tree = ast.parse(path.read_text())
        functions = _functions(tree)
        for name, function in functions.items():
            if not name.startswith("_") and _commits(function):
                found.append((path.stem, name, _reaches_audit(name, functions, set())))
    return found


def test_every_state_changing_use_case_is_audited():
    use_cases = state_changing_use_cases()
    assert len(use_cases) > 40  # the enumeration itself works
    missing = [f"{module}.{name}" for module, name, audited in use_cases
               if not audited and (module, name) not in NOT_AUDITED]
    assert missing == []


def test_the_exceptions_list_names_only_real_use_cases():
    known = {(module, name) for module, name, _ in state_changing_use_cases()}
    assert set(NOT_AUDITED) <= known


def _recorded_actions() -> set[str]:
    """Every action code the services record: literal ones, and lifecycle steps (f-strings)."""
    found = set()
    for path in sorted(SERVICES.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "record_event"
                    and node.args and isinstance(node.args[0], ast.Constant)):
                found.add(node.args[0].value)
    return found


def test_every_recorded_action_and_object_has_a_chinese_label():
    unlabelled = sorted(action for action in _recorded_actions() if not audit_labels.known_action(action))
    assert unlabelled == []
    steps = [f"{kind}.{state.value}" for kind, (_, states) in audit_labels.STEPS.items() for state in states]
    assert all(audit_labels.known_action(step) for step in steps)
    decisions = {decision for _, decision in DECISIONS}
    assert [d for d in decisions if not audit_labels.known_action(f"organization.{d}")] == []
    assert audit_labels.action_label("made.up") == "其他操作"


def _recorded_value_keys() -> set[str]:
    """Every literal key of a before/after dict that code hands to record_event."""
    found = set()
    for path in sorted(pathlib.Path(housing_swap.__file__).parent.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "record_event"):
                continue
            for keyword in node.keywords:
                if keyword.arg in ("before", "after"):
                    found |= {key.value for d in ast.walk(keyword.value) if isinstance(d, ast.Dict)
                              for key in d.keys if isinstance(key, ast.Constant)}
    return found


def test_every_recorded_value_has_a_chinese_name_and_shows_in_words():
    keys = _recorded_value_keys()
    assert len(keys) > 40  # the walk itself works
    assert sorted(key for key in keys if audit_labels.value_name(key).startswith("其他")) == []
    assert audit_labels.changes("listing", {"status": "submitted"}, {"status": "active", "elevator": True,
                                                                    "offer_price": 950000, "note": None}) == [
        ("状态", "待核验", "在售"), ("其他（elevator）", "—", "是"), ("收购报价（元）", "—", "950000"), ("说明", "—", "—")]
