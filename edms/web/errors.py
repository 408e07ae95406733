"""Domain and HTTP errors as pages (JSON under /api/) with a Russian message; no 500 for a user's mistake."""

from __future__ import annotations

from flask import Flask, Response, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from edms.core.errors import DomainError, error_payload

HTTP_MESSAGES = {
    400: 'Некорректный запрос.',
    401: 'Требуется аутентификация.',
    403: 'Недостаточно прав.',
    404: 'Страница или объект не найдены.',
    405: 'Метод не поддерживается.',
    413: 'Файл или запрос слишком велик.',
    415: 'Неподдерживаемый формат запроса.',
    429: 'Слишком много запросов, повторите позже.',
}


def _is_api() -> bool:
    return request.path.startswith('/api/')


def register_error_pages(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(error: DomainError) -> tuple[str | Response, int]:
        if _is_api():
            return jsonify(error_payload(error.code, error.message, error.fields)), error.status
        return render_template('error.html', message=error.message, fields=error.fields), error.status

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        message = 'Форма устарела или отправлена с другого сайта. Обновите страницу и повторите.'
        return render_template('error.html', message=message, fields={}), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str | Response, int]:
        status = error.code or 500
        message = HTTP_MESSAGES.get(status, 'Ошибка обработки запроса.')
        if _is_api():
            code = (error.name or 'error').lower().replace(' ', '_')
            return jsonify(error_payload(code, message)), status
        return render_template('error.html', message=message, fields={}), status
