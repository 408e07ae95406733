"""URL converters of the application: `<int:…>` takes only numbers an id column can hold."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

from edms.core.validation import ID_MAX


class IdConverter(IntegerConverter):
    """`<int:…>` from 0 to `ID_MAX`: a longer number matches no route and is a plain 404. The database is never
    asked for it: PostgreSQL refuses a parameter beyond its column's range with an error instead of finding nothing."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault('max', ID_MAX)
        super().__init__(url_map, *args, **kwargs)


def install_converters(app: Flask) -> None:
    """Before any route is added: rules take their converters when they are added."""
    app.url_map.converters['int'] = IdConverter
