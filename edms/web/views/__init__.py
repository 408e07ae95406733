"""Blueprints of the browser interface, one file per area."""
