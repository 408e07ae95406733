"""The one way untrusted XML is parsed: a hardened lxml parser, a size limit, no DOCTYPE, local XSDs only.

The policy follows the measurements in notes/reliability-security-performance.md §1.2: entities are never resolved,
nothing is fetched from the network, DTDs are neither loaded nor allowed (any DOCTYPE is refused before parsing),
libxml2's own limits stay on (`huge_tree=False`: nesting deeper than 256 levels, entity amplification and text nodes
over 10 MB are refused), and the document is refused by size before the parser sees it. Never call `.xinclude()`,
XSLT or `etree.parse(url)` on input. Schemas are compiled from local files with the same hardened parser.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

from lxml import etree

from edms.core.errors import ValidationFailed

#: The default largest XML document accepted (МЭДО envelopes and passports are a few hundred kilobytes at most).
MAX_XML_SIZE = 10 * 1024 * 1024
_DOCTYPE = re.compile(rb'<!DOCTYPE', re.IGNORECASE)


class UnsafeXml(ValidationFailed):
    """XML that is refused before or while parsing: too large, with a DOCTYPE, not well formed, too deep."""

    code = 'unsafe_xml'


def hardened_parser() -> etree.XMLParser:
    """A new hardened parser (lxml parsers are not thread-safe to share across threads while parsing)."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_xml(data: bytes, *, what: str = 'XML', max_size: int = MAX_XML_SIZE) -> etree._Element:
    """The root element of `data`, or `UnsafeXml` with a Russian message naming `what` and the reason."""
    if len(data) > max_size:
        raise _refused(what, f'размер {len(data)} байт больше допустимых {max_size}')
    if _DOCTYPE.search(data[:65536]) or b'<!ENTITY' in data:
        raise _refused(what, 'объявления DOCTYPE и ENTITY не допускаются')
    try:
        root = etree.fromstring(data, hardened_parser())
    except etree.XMLSyntaxError as error:
        raise _refused(what, f'не разбирается как XML ({_short(error)})') from None
    if root.getroottree().docinfo.internalDTD is not None:
        raise _refused(what, 'объявления DOCTYPE и ENTITY не допускаются')
    return root


_schemas = threading.local()


def load_schema(path: str) -> etree.XMLSchema:
    """A compiled XSD from a local file (its imports and includes resolved next to it, never over the network).

    Compiled once per thread: an XMLSchema keeps the errors of its last validation in itself, so two threads
    validating with one object at once would read each other's errors."""
    cache: dict[str, etree.XMLSchema] = _schemas.__dict__.setdefault('by_path', {})
    if path not in cache:
        tree = etree.parse(str(Path(path)), hardened_parser())
        cache[path] = etree.XMLSchema(tree)
    return cache[path]


def schema_errors(schema: etree.XMLSchema, root: etree._Element, limit: int = 20) -> list[str]:
    """Validation errors of `root` against `schema` as «строка N: сообщение», at most `limit` of them."""
    if schema.validate(root):
        return []
    return [f'строка {error.line}: {error.message}' for error in list(schema.error_log)[:limit]]


def _refused(what: str, reason: str) -> UnsafeXml:
    return UnsafeXml(f'{what} отклонён: {reason}.', fields={'xml': f'«{what}»: {reason}.'})


def _short(error: etree.XMLSyntaxError) -> str:
    return str(error).split('\n', 1)[0][:300]
