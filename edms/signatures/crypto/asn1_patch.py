"""Teach asn1crypto 1.5 to carry GOST keys: without this, reading a GOST key raises `KeyError: '1.2.643.7.1.1.1.1'`.

The patch is additive and idempotent: the spec callbacks of `PublicKeyInfo.public_key` and `PrivateKeyInfo.
private_key` answer for the two GOST R 34.10-2012 key OIDs (the public key as an OCTET STRING inside the BIT STRING,
the private key as opaque octets) and defer to the library's own callbacks for every other algorithm. OID names are
not added to asn1crypto's maps, so `.native` of a GOST OID stays the dotted string: compare with `.dotted`.
"""

from __future__ import annotations

from typing import Any

from asn1crypto import core, keys

from edms.signatures.crypto import oids

_MARK = '_edms_gost_patched'


def patch_asn1crypto() -> None:
    """Install the GOST spec callbacks (again when another library, e.g. pyHanko, replaced them since)."""
    if getattr(keys.PublicKeyInfo._spec_callbacks['public_key'], _MARK, False):
        return
    public_spec = keys.PublicKeyInfo._spec_callbacks['public_key']
    private_spec = keys.PrivateKeyInfo._spec_callbacks['private_key']

    def _public_key_spec(self: keys.PublicKeyInfo) -> Any:
        if self['algorithm']['algorithm'].dotted in oids.GOST_KEYS:
            return core.OctetString
        return public_spec(self)

    def _private_key_spec(self: keys.PrivateKeyInfo) -> Any:
        if self['private_key_algorithm']['algorithm'].dotted in oids.GOST_KEYS:
            return (core.OctetString, None)
        return private_spec(self)

    setattr(_public_key_spec, _MARK, True)
    keys.PublicKeyInfo._spec_callbacks = {**keys.PublicKeyInfo._spec_callbacks, 'public_key': _public_key_spec}
    keys.PrivateKeyInfo._spec_callbacks = {**keys.PrivateKeyInfo._spec_callbacks, 'private_key': _private_key_spec}
