"""Sending a stored file as a download (web pages and the API alike): its bytes only after they matched the stored
sha256, under its own name."""

from __future__ import annotations

from flask import send_file
from werkzeug.wrappers import Response

from edms.core.blobs import blob_store


def send_stored(sha256: str, content_type: str, filename: str) -> Response:
    """A download of the blob `sha256` (a damaged blob raises before a byte is sent); the sha256 is its ETag."""
    stream = blob_store().open_verified(sha256)
    return send_file(stream, mimetype=content_type, as_attachment=True, download_name=filename, etag=sha256, max_age=0)
