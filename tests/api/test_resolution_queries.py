"""Reading resolutions over the API costs a fixed number of statements, whatever the number of reports, files,
sub-resolutions and resolutions on the card."""

from __future__ import annotations

from io import BytesIO

import pytest
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage

from edms.core.db import db
from edms.directory.models import Organization
from tests.api.conftest import PDF_BYTES, ApiUser
from tests.api.resolution_team import Team, build_team, call, issued, ok, part, upload_report
from tests.api.test_performance import counted_statements
from tests.factories import resolution_data, working_day


@pytest.fixture
def team(org: Organization) -> Team:
    return build_team(org)


def test_reading_the_tree_and_the_lists_takes_a_fixed_number_of_statements(client, team, monkeypatch):
    """Measured with one object of each kind, then with twice as many: the statement counts stay the same."""
    # A token's last use is written once a minute: a slow run (a loaded machine) must not count that UPDATE as growth.
    monkeypatch.setattr('edms.auth.operations.TOKEN_USE_PRECISION', 3600)
    node = issued(client, team, is_controlled=True, controller_id=team.controller.user.id)
    main, co = part(node, team.responsible)['id'], part(node, team.co_executor)['id']
    sub = resolution_data(team.subordinate.user)
    sub['executors'][0]['deadline'] = working_day(5).isoformat()
    another = resolution_data(team.responsible.user, team.co_executor.user)
    urls = {
        'tree': (team.manager, f'/api/v1/cards/{team.card_id}/resolutions'),
        'resolution': (team.manager, node['url']),
        'assignment': (team.responsible, f'/api/v1/assignments/{main}'),
        'mine': (team.responsible, '/api/v1/assignments?filter=all'),
        'control': (team.controller, '/api/v1/cabinet/control'),
        'cabinet': (team.manager, '/api/v1/cabinet'),
    }

    def add_work(text: str) -> None:
        for assignment_id, who, decider in (
            (main, team.responsible, team.controller),
            (co, team.co_executor, team.responsible),
        ):
            files = [FileStorage(BytesIO(PDF_BYTES + text.encode()), f'{text}.pdf')]
            report = ok(upload_report(client, who, assignment_id, {'text': text, 'files': files}), 201)
            ok(call(client, decider, f'{report["url"]}/return', {'comment': 'Ещё'}))
        ok(call(client, team.responsible, f'/api/v1/assignments/{main}/sub-resolutions', sub), 201)
        ok(call(client, team.manager, f'/api/v1/cards/{team.card_id}/resolutions', another), 201)

    add_work('Первый')
    once = {key: statements(client, who, url) for key, (who, url) in urls.items()}
    add_work('Второй')
    twice = {key: statements(client, who, url) for key, (who, url) in urls.items()}
    grown = {key: (once[key], twice[key]) for key in urls if len(twice[key]) != len(once[key])}
    assert not grown, grown  # the statements of each request that changed, once and twice
    assert len(once['cabinet']) <= 4


def statements(client: FlaskClient, who: ApiUser, url: str) -> list[str]:
    db.session.remove()
    with counted_statements() as seen:
        response = client.get(url, headers=who.headers)
    assert response.status_code == 200, response.get_json()
    return seen
