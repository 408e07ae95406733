"""Private keys: PKCS#8 in every accepted form, every GOST parameter set, and keys made by openssl."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from asn1crypto import core
from asn1crypto import keys as asn1_keys

from edms.signatures.crypto import gost, oids
from edms.signatures.crypto.backends.gost_python import GostPythonBackend
from edms.signatures.crypto.errors import KeyFormatError, UnsupportedAlgorithm
from edms.signatures.crypto.keys import (
    generate_private_key,
    load_private_key,
    private_key_to_pkcs8,
    public_key_info,
)
from scripts.make_test_pki import TestPki
from tests.signatures.openssl_tools import openssl, requires_engine

#: openssl genpkey paramset names -> OID
OPENSSL_PARAMSETS_256 = {
    'A': oids.CRYPTOPRO_A,
    'B': oids.CRYPTOPRO_B,
    'C': oids.CRYPTOPRO_C,
    'XA': oids.CRYPTOPRO_XCH_A,
    'XB': oids.CRYPTOPRO_XCH_B,
    'TCA': oids.TC26_256_A,
    'TCB': oids.TC26_256_B,
    'TCC': oids.TC26_256_C,
    'TCD': oids.TC26_256_D,
}
OPENSSL_PARAMSETS_512 = {'A': oids.TC26_512_A, 'B': oids.TC26_512_B, 'C': oids.TC26_512_C}


def _gost_pkcs8_with(der: bytes, private_key_field: bytes) -> bytes:
    """The same PKCS#8 with its privateKey OCTET STRING holding `private_key_field` instead."""
    info = asn1_keys.PrivateKeyInfo.load(der)
    return asn1_keys.PrivateKeyInfo(
        {
            'version': 0,
            'private_key_algorithm': info['private_key_algorithm'],
            'private_key': private_key_field,
        }
    ).dump()


@pytest.mark.parametrize('algorithm', ['rsa', 'ec', 'gost2012_256', 'gost2012_512'])
def test_pkcs8_der_and_pem_round_trip(algorithm: str) -> None:
    key = generate_private_key(algorithm)
    der = private_key_to_pkcs8(key)
    again = load_private_key(der)
    assert again.algorithm == algorithm
    assert public_key_info(again) == public_key_info(key)
    pem = b'-----BEGIN PRIVATE KEY-----\n' + base64.encodebytes(der) + b'-----END PRIVATE KEY-----\n'
    assert public_key_info(load_private_key(pem)) == public_key_info(key)


def test_gost_private_key_in_all_three_forms_is_the_same_key() -> None:
    key = generate_private_key('gost2012_256')
    der = private_key_to_pkcs8(key)
    d = key.handle.d
    raw = d.to_bytes(32, 'little')
    wrapped = _gost_pkcs8_with(der, core.OctetString(raw).dump())
    integer = _gost_pkcs8_with(der, core.Integer(d).dump())
    for form in (der, wrapped, integer):
        assert load_private_key(form).handle.d == d
        assert public_key_info(load_private_key(form)) == public_key_info(key)


def test_gost_raw_key_is_little_endian() -> None:
    key = generate_private_key('gost2012_256')
    raw = asn1_keys.PrivateKeyInfo.load(private_key_to_pkcs8(key))['private_key'].contents
    assert raw == key.handle.d.to_bytes(32, 'little')


def test_gost_public_key_halves_are_each_little_endian() -> None:
    key = generate_private_key('gost2012_256')
    point = key.handle.public_key()
    raw = asn1_keys.PublicKeyInfo.load(public_key_info(key))['public_key'].parsed.native
    assert raw == point.x.to_bytes(32, 'little') + point.y.to_bytes(32, 'little')
    assert gost.curve_for(key.handle.paramset).is_on_curve(point.x, point.y)


@pytest.mark.parametrize(
    'form',
    [b'', b'not a key at all', b'0\x03\x02\x01\x00', b'-----BEGIN PRIVATE KEY-----\n!!\n-----END PRIVATE KEY-----\n'],
)
def test_garbage_is_a_key_format_error(form: bytes) -> None:
    with pytest.raises(KeyFormatError):
        load_private_key(form)


def test_masked_or_out_of_range_gost_keys_are_refused() -> None:
    der = private_key_to_pkcs8(generate_private_key('gost2012_256'))
    with pytest.raises(KeyFormatError, match='неизвестном формате'):
        load_private_key(_gost_pkcs8_with(der, b'\x30' * 64))  # a masked key: key ‖ mask
    with pytest.raises(KeyFormatError, match='диапазона'):
        load_private_key(_gost_pkcs8_with(der, b'\xff' * 32))  # d ≥ q
    with pytest.raises(KeyFormatError, match='диапазона'):
        load_private_key(_gost_pkcs8_with(der, bytes(32)))


def test_unknown_gost_paramset_is_unsupported() -> None:
    der = private_key_to_pkcs8(generate_private_key('gost2012_256'))
    info = asn1_keys.PrivateKeyInfo.load(der)
    params = gost.GostKeyParameters({'public_key_param_set': '1.2.643.2.2.35.9'})
    odd = asn1_keys.PrivateKeyInfo(
        {
            'version': 0,
            'private_key_algorithm': {'algorithm': oids.GOST2012_256, 'parameters': params},
            'private_key': info['private_key'].contents,
        }
    ).dump()
    with pytest.raises(UnsupportedAlgorithm):
        load_private_key(odd)


def test_ed25519_keys_are_unsupported() -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    der = ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(UnsupportedAlgorithm):
        load_private_key(der)


def test_a_key_never_shows_its_secret() -> None:
    key = generate_private_key('gost2012_256')
    text = repr(key) + str(key) + repr(key.handle)
    assert str(key.handle.d) not in text
    assert format(key.handle.d, 'x') not in text
    rsa = generate_private_key('rsa')
    assert 'private_numbers' not in repr(rsa)
    assert repr(rsa) == "PrivateKey(algorithm='rsa')"


def test_keys_compare_by_identity() -> None:
    key = generate_private_key('ec')
    again = load_private_key(private_key_to_pkcs8(key))
    assert key != again
    assert key == key
    assert len({key, again}) == 2


@pytest.mark.parametrize('paramset', sorted(gost.PARAMSETS))
def test_every_paramset_signs_and_verifies_in_python(paramset: str) -> None:
    ps = gost.PARAMSETS[paramset]
    key = generate_private_key(
        'gost2012_256' if ps.bits == 256 else 'gost2012_512',
        paramset=paramset,
    )
    again = load_private_key(private_key_to_pkcs8(key))
    assert again.handle.paramset is ps
    backend = GostPythonBackend()
    signature = backend.sign(again, ps.digest_oid, b'paramset check')
    assert backend.verify(public_key_info(key), ps.digest_oid, b'paramset check', signature)


def test_paramset_of_the_wrong_size_is_refused() -> None:
    with pytest.raises(UnsupportedAlgorithm):
        generate_private_key('gost2012_512', paramset=oids.CRYPTOPRO_A)


@requires_engine
@pytest.mark.parametrize(
    ('algorithm', 'name', 'oid'),
    [('gost2012_256', name, oid) for name, oid in OPENSSL_PARAMSETS_256.items()]
    + [('gost2012_512', name, oid) for name, oid in OPENSSL_PARAMSETS_512.items()],
)
def test_openssl_made_keys_give_the_same_public_key(
    algorithm: str, name: str, oid: str, test_pki: TestPki, tmp_path: Path
) -> None:
    """Our curve mapping and byte order reproduce the engine's public key for every parameter set."""
    key_file = tmp_path / 'key.der'
    made = openssl(
        'genpkey',
        '-algorithm',
        algorithm,
        '-pkeyopt',
        f'paramset:{name}',
        '-outform',
        'DER',
        '-out',
        key_file,
        conf=test_pki.openssl_conf,
    )
    assert made.returncode == 0, made.stderr
    public = openssl(
        'pkey', '-inform', 'DER', '-in', key_file, '-pubout', '-outform', 'DER', conf=test_pki.openssl_conf
    )
    assert public.returncode == 0, public.stderr
    key = load_private_key(key_file.read_bytes())
    assert key.algorithm == algorithm
    assert key.handle.paramset.oid == oid
    assert public_key_info(key) == public.stdout
    assert private_key_to_pkcs8(key) == key_file.read_bytes()
