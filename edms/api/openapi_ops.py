"""Building blocks of the OpenAPI document: operations with their documented error responses, path and query
parameters, media types; shared by the path tables of `openapi.py` and `openapi_resolutions.py`.
"""

from __future__ import annotations

from typing import Any

from edms.api.openapi_schemas import Schema, integer, ref

JSON = 'application/json'
ERROR_RESPONSES = {
    '400': ('BadRequest', 'Некорректный запрос или JSON'),
    '401': ('Unauthorized', 'Нет действующего токена доступа'),
    '403': ('Forbidden', 'Недостаточно прав'),
    '404': ('NotFound', 'Объект не найден или недоступен'),
    '409': ('Conflict', 'Действие невозможно в текущем состоянии; possible_duplicate — возможный повтор'),
    '413': ('TooLarge', 'Файл или запрос слишком велик'),
    '415': ('UnsupportedMediaType', 'Тело запроса не в ожидаемом формате'),
    '422': ('ValidationFailed', 'Ошибки в полях: сообщение для каждого поля'),
}


def content(schema: Schema, media_type: str = JSON) -> dict[str, Any]:
    return {media_type: {'schema': schema}}


def path_param(name: str, description: str) -> Schema:
    return {'name': name, 'in': 'path', 'required': True, 'description': description, 'schema': integer(minimum=1)}


def query_param(name: str, schema: Schema, description: str) -> Schema:
    return {'name': name, 'in': 'query', 'required': False, 'description': description, 'schema': schema}


def op(
    operation_id: str,
    summary: str,
    tag: str,
    ok: tuple[str, str, Schema | None],
    *,
    errors: tuple[str, ...] = ('401',),
    body: str | None = None,
    params: list[Schema] | None = None,
    public: bool = False,
    body_required: bool = True,
) -> dict[str, Any]:
    """One operation: `ok` is (status, description, schema or None); `errors` lists the documented error codes;
    `body` names the JSON schema of the request body (`body_required` False: the body may be empty)."""
    status, description, schema = ok
    success: dict[str, Any] = {'description': description}
    if schema is not None:
        success['content'] = content(schema)
    operation: dict[str, Any] = {
        'operationId': operation_id,
        'summary': summary,
        'tags': [tag],
        'responses': {status: success, **{code: ref_response(code) for code in errors}},
    }
    if params:
        operation['parameters'] = params
    if body is not None:
        operation['requestBody'] = {'required': body_required, 'content': content(ref(body))}
    if public:
        operation['security'] = []
    return operation


def ref_response(code: str) -> dict[str, str]:
    return {'$ref': f'#/components/responses/{ERROR_RESPONSES[code][0]}'}


READ = ('401', '404')
WRITE = ('400', '401', '403', '404', '415', '422')
