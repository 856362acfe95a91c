"""Pure domain logic: program rules, identity checks, money. Imports neither Flask nor SQLAlchemy."""
