"""Ids from URLs, forms and query strings: only numbers an INTEGER id column can hold reach a query."""

from __future__ import annotations

import pytest
from flask import Flask

from edms.core.urls import install_converters
from edms.core.validation import ID_MAX, RawInput, is_id, query_int


def _app() -> Flask:
    app = Flask(__name__)
    install_converters(app)
    app.add_url_rule('/things/<int:thing_id>', 'thing', lambda thing_id: str(thing_id))
    return app


def test_an_id_up_to_the_column_maximum_reaches_the_view() -> None:
    client = _app().test_client()
    assert client.get(f'/things/{ID_MAX}').get_data(as_text=True) == str(ID_MAX)
    assert client.get('/things/0').get_data(as_text=True) == '0'


def test_a_longer_number_matches_no_route() -> None:
    client = _app().test_client()
    assert client.get(f'/things/{ID_MAX + 1}').status_code == 404
    assert client.get('/things/99999999999999999999').status_code == 404


def test_integer_fields_refuse_numbers_no_column_holds() -> None:
    form = RawInput({'pages': str(ID_MAX + 1), 'ids': [1, 10**30], 'ok': str(ID_MAX)})
    assert form.integer('pages', 'Листов') is None
    assert form.id_list('ids', 'Карточки') == []
    assert form.integer('ok', 'Число') == ID_MAX
    assert form.errors.fields == {
        'pages': f'«Листов»: слишком большое число (не больше {ID_MAX}).',
        'ids': f'«Карточки»: идентификатор не может быть больше {ID_MAX}.',
    }


def test_is_id_takes_ascii_digits_up_to_the_column_maximum() -> None:
    assert is_id(str(ID_MAX))
    assert not is_id(str(ID_MAX + 1))
    assert not is_id('²')
    assert not is_id('-1')


def test_query_int_refuses_what_no_column_holds() -> None:
    assert query_int('2026') == 2026
    with pytest.raises(ValueError, match='99999999999999999999'):
        query_int('99999999999999999999')
