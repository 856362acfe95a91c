"""Server-rendered pages: blueprints, forms, template helpers and HTML error pages."""
from __future__ import annotations

from flask import Flask

from . import (
    acquisitions,
    admin,
    agency,
    applications,
    auth,
    bureau,
    communities,
    dashboard,
    eligibility,
    errors,
    formatting,
    listings,
    main,
    market_swaps,
    notifications,
    projects,
    quota_queue,
    reservations,
    rules,
    search,
    viewings,
)
from .errors import JsonError
from .static_files import install_static_compression


def register_web(app: Flask, json_error: JsonError) -> None:
    install_static_compression(app)
    app.register_blueprint(main.blueprint)
    app.register_blueprint(auth.blueprint)
    app.register_blueprint(admin.blueprint)
    app.register_blueprint(admin.joining)
    app.register_blueprint(listings.blueprint)
    app.register_blueprint(agency.blueprint)
    app.register_blueprint(bureau.blueprint)
    app.register_blueprint(projects.blueprint)
    app.register_blueprint(communities.blueprint)
    app.register_blueprint(search.blueprint)
    app.register_blueprint(notifications.blueprint)
    app.register_blueprint(viewings.blueprint)
    app.register_blueprint(reservations.blueprint)
    app.register_blueprint(quota_queue.blueprint)
    app.register_blueprint(eligibility.blueprint)
    app.register_blueprint(applications.blueprint)
    app.register_blueprint(rules.blueprint)
    app.register_blueprint(acquisitions.blueprint)
    app.register_blueprint(market_swaps.blueprint)
    app.register_blueprint(dashboard.blueprint)
    formatting.register_filters(app)
    errors.register_error_handlers(app, json_error)
