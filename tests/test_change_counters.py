"""Snapshots follow the shared database, not any machine's clock: a change committed through one
app machine is seen by another's next read, however the change was written."""
from __future__ import annotations

from sqlalchemy import select, text

from housing_swap.db.models import Project, Unit
from housing_swap.db.models.change_counters import NEW_HOMES, WATCHED_TABLES
from housing_swap.extensions import db
from housing_swap.services.matching import unit_table
from housing_swap.services.snapshots import change_marks
from tests.conftest import make_test_app
from tests.matching.helpers import units_on_sale


def labels() -> set[str]:
    return set(unit_table().labels.values())


def test_a_project_renamed_through_one_machine_is_seen_by_the_other(app, make, tmp_path):
    (unit, *_) = units_on_sale(make)
    machine_b = make_test_app(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "machine-b")
    with machine_b.app_context():
        assert any(label.startswith(unit.building.project.name) for label in labels())
        db.session.commit()
    # Machine A renames the project: no unit row changes, and B's clock is never consulted.
    project = db.session.get(Project, unit.building.project_id)
    project.name = "改名后的新城"
    db.session.commit()
    with machine_b.app_context():
        assert any(label.startswith("改名后的新城") for label in labels())
        db.session.remove()
        db.engine.dispose()


def test_writes_outside_the_orm_move_the_counter(app, make):
    units_on_sale(make)
    before = change_marks((NEW_HOMES,))
    unit_table()
    db.session.execute(text("UPDATE unit SET list_price = list_price + 1"))  # as psql or a bulk job would
    db.session.commit()
    assert change_marks((NEW_HOMES,)) > before
    assert set(unit_table().price) == set(db.session.scalars(select(Unit.list_price)))


def test_every_watched_table_has_its_trigger(app):
    """Each table listed in db/models/change_counters.py has the triggers migration 0017 made."""
    names = _trigger_names()
    for tables in WATCHED_TABLES.values():
        for table in tables:
            assert any(name.startswith(f"change_counter_{table}") for name in names), table
    if db.engine.dialect.name == "postgresql":  # statement triggers: a bulk write bumps once
        before = change_marks(tuple(WATCHED_TABLES))
        for tables in WATCHED_TABLES.values():
            for table in tables:
                db.session.execute(text(f"DELETE FROM {table} WHERE 1 = 0"))
        db.session.commit()
        after = change_marks(tuple(WATCHED_TABLES))
        assert [later - earlier for earlier, later in zip(before, after, strict=True)] == \
            [len(tables) for tables in WATCHED_TABLES.values()]


def _trigger_names() -> set[str]:
    if db.engine.dialect.name == "postgresql":
        query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    else:
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    return set(db.session.scalars(text(query)))
