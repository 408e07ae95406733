"""A small checker of API answers against the schemas of the served OpenAPI document: field names, required
fields, types, enums and nullability, recursively through `$ref`, arrays and objects."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

TYPES = {'string': str, 'boolean': bool, 'array': list, 'object': dict}


class SchemaChecker:
    def __init__(self, client: FlaskClient) -> None:
        self.document = client.get('/api/v1/openapi.json').get_json()

    def schema(self, name: str) -> dict[str, Any]:
        return self.document['components']['schemas'][name]

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        while '$ref' in schema:
            schema = self.schema(schema['$ref'].rsplit('/', 1)[1])
        return schema

    def check(self, value: Any, name: str) -> None:
        """Assert that `value` matches the named component schema."""
        self._check(value, self.schema(name), name)

    def _check(self, value: Any, schema: dict[str, Any], path: str) -> None:
        schema = self.resolve(schema)
        if value is None:
            assert schema.get('nullable') is True, f'{path}: null where the schema does not allow it'
            return
        kind = schema.get('type')
        if kind == 'integer':
            assert isinstance(value, int), f'{path}: {value!r} is not an integer'
            assert not isinstance(value, bool), f'{path}: {value!r} is not an integer'
        elif kind in TYPES:
            assert isinstance(value, TYPES[kind]), f'{path}: {value!r} is not {kind}'
        if 'enum' in schema:
            assert value in schema['enum'], f'{path}: {value!r} not in {schema["enum"]}'
        if kind == 'array':
            for index, item in enumerate(value):
                self._check(item, schema.get('items', {}), f'{path}[{index}]')
        if kind == 'object':
            self._check_object(value, schema, path)

    def _check_object(self, value: dict[str, Any], schema: dict[str, Any], path: str) -> None:
        properties = schema.get('properties')
        missing = set(schema.get('required', [])) - set(value)
        assert not missing, f'{path}: missing {sorted(missing)}'
        if properties is None:
            return
        if schema.get('additionalProperties') is not True:
            extra = set(value) - set(properties)
            assert not extra, f'{path}: fields not in the schema {sorted(extra)}'
        for key, item in value.items():
            if key in properties:
                self._check(item, properties[key], f'{path}.{key}')
