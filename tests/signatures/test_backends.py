"""Signature backends: the registry, round trips, identical verdicts of both GOST backends, openssl interop both ways,
the GOST byte-order mistakes, and the Streebog test vector M1."""

from __future__ import annotations

from pathlib import Path

import pytest

from edms.signatures.crypto import gost, oids
from edms.signatures.crypto.backends import (
    backends,
    configure_backends,
    digest,
    get_backend,
    get_named_backend,
    gost_engine,
    openssl_lib,
)
from edms.signatures.crypto.backends.gost_python import GostPythonBackend
from edms.signatures.crypto.backends.standard import StandardBackend
from edms.signatures.crypto.errors import KeyFormatError, UnsupportedAlgorithm
from edms.signatures.crypto.keys import PrivateKey, generate_private_key, load_private_key, public_key_info
from scripts.make_test_pki import TestPki
from tests.signatures.gost_faults import FAULTS, correct
from tests.signatures.openssl_tools import openssl, requires_engine, requires_openssl, write_pem

M1 = b'012345678901234567890123456789012345678901234567890123456789012'
M1_256 = '9d151eefd8590b89daa6ba6cb74af9275dd051026bb149a452fd84e5e57b5500'
M1_512 = (
    '1b54d01a4af5b9d5cc3d86d68d285462b19abc2475222f35c085122be4ba1ffa'
    '00ad30f8767b3a82384c6574f024c311e2a481332b08ef7f41797891c1646f48'
)
DATA = 'Проект постановления № 12 о порядке электронного документооборота'.encode()
ALGORITHMS = ['rsa', 'ec', 'gost2012_256', 'gost2012_512']
GOST_DIGEST = {'gost2012_256': oids.STREEBOG256, 'gost2012_512': oids.STREEBOG512}


def _digest_oid(key: PrivateKey) -> str:
    return key.default_digest_oid


def _gost_backends() -> list[object]:
    found: list[object] = [GostPythonBackend()]
    if gost_engine.available():
        found.append(gost_engine.GostEngineBackend())
    return found


@pytest.fixture(scope='module')
def gost_keys() -> dict[str, PrivateKey]:
    return {name: generate_private_key(name) for name in ('gost2012_256', 'gost2012_512')}


# --- Streebog


def test_streebog_m1_pure_python() -> None:
    assert gost.streebog_python(M1, 256).hex() == M1_256
    assert gost.streebog_python(M1, 512).hex() == M1_512


def test_streebog_m1_through_the_registry_and_each_gost_backend() -> None:
    assert digest(oids.STREEBOG256, M1).hex() == M1_256
    assert digest(oids.STREEBOG512, M1).hex() == M1_512
    for backend in _gost_backends():
        assert backend.digest(oids.STREEBOG256, M1).hex() == M1_256, backend.name
        assert backend.digest(oids.STREEBOG512, M1).hex() == M1_512, backend.name


@requires_engine
def test_streebog_matches_openssl_dgst_on_other_data(tmp_path: Path, test_pki: TestPki) -> None:
    data = bytes(range(256)) * 41 + DATA
    source = tmp_path / 'data.bin'
    source.write_bytes(data)
    for bits in (256, 512):
        result = openssl('dgst', f'-md_gost12_{bits}', '-r', source, conf=test_pki.openssl_conf)
        assert result.returncode == 0, result.stderr
        expected = result.stdout.split()[0].decode()
        assert gost.streebog_python(data, bits).hex() == expected
        assert digest(oids.STREEBOG256 if bits == 256 else oids.STREEBOG512, data).hex() == expected


def test_sha256_digest_through_the_registry() -> None:
    assert digest(oids.SHA256, b'abc').hex().startswith('ba7816bf')


def test_unknown_digest_is_refused() -> None:
    with pytest.raises(UnsupportedAlgorithm):
        digest('1.2.3.4', b'x')


# --- the registry


@pytest.mark.usefixtures('default_backends')
def test_default_order_prefers_the_engine_for_gost_when_installed() -> None:
    configure_backends(None)
    names = [backend.name for backend in backends()]
    assert names[0] == 'standard'
    assert names[-1] == 'gost-python'
    assert get_backend(oids.RSA).name == 'standard'
    assert get_backend(oids.EC).name == 'standard'
    expected = 'gost-engine' if gost_engine.available() else 'gost-python'
    assert get_backend(oids.GOST2012_256).name == expected
    assert get_backend(oids.GOST2012_512).name == expected


@pytest.mark.usefixtures('default_backends')
def test_without_the_engine_gost_python_serves(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gost_engine, 'available', lambda: False)
    monkeypatch.setattr(gost_engine.GostEngineBackend, 'available', staticmethod(lambda: False))
    configure_backends(None)
    assert [backend.name for backend in backends()] == ['standard', 'gost-python']
    assert get_backend(oids.GOST2012_256).name == 'gost-python'


def test_engine_reports_why_it_is_unavailable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(openssl_lib, 'ENGINE_PATH', str(tmp_path / 'missing-gost.so'))
    assert openssl_lib._load() is None
    assert 'libengine-gost-openssl' in openssl_lib.unavailable_reason()


class PluggedProvider:
    """A stand-in for a certified provider plugged in by configuration (here it delegates to gost-python)."""

    name = 'plugged'
    calls: list[str] = []  # noqa: RUF012 - a test spy

    def __init__(self) -> None:
        self._inner = GostPythonBackend()

    def supports(self, key_algorithm_oid: str) -> bool:
        return key_algorithm_oid in oids.GOST_KEYS

    def digest(self, digest_oid: str, data: bytes) -> bytes:
        return self._inner.digest(digest_oid, data)

    def sign(self, key: PrivateKey, digest_oid: str, data: bytes) -> bytes:
        self.calls.append('sign')
        return self._inner.sign(key, digest_oid, data)

    def verify(self, spki_der: bytes, digest_oid: str, data: bytes, signature: bytes) -> bool:
        self.calls.append('verify')
        return self._inner.verify(spki_der, digest_oid, data, signature)


@pytest.mark.usefixtures('default_backends')
def test_a_provider_plugs_in_by_dotted_path(gost_keys: dict[str, PrivateKey]) -> None:
    configure_backends(['standard', 'tests.signatures.test_backends.PluggedProvider', 'gost-python'])
    backend = get_backend(oids.GOST2012_256)
    assert backend.name == 'plugged'
    key = gost_keys['gost2012_256']
    signature = backend.sign(key, oids.STREEBOG256, DATA)
    assert get_named_backend('gost-python').verify(public_key_info(key), oids.STREEBOG256, DATA, signature)
    assert PluggedProvider.calls[-1] == 'sign'


@pytest.mark.usefixtures('default_backends')
def test_the_environment_variable_configures_when_the_app_does_not(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('EDMS_SIGNATURE_BACKENDS', 'gost-python, standard')
    configure_backends(None)
    assert [backend.name for backend in backends()] == ['gost-python', 'standard']


@pytest.mark.usefixtures('default_backends')
def test_a_key_no_backend_supports_is_refused() -> None:
    configure_backends(['standard'])
    with pytest.raises(UnsupportedAlgorithm, match='не поддерживает'):
        get_backend(oids.GOST2012_256)


@pytest.mark.usefixtures('default_backends')
def test_a_path_that_is_not_a_backend_is_rejected_at_configuration() -> None:
    with pytest.raises(TypeError):
        configure_backends(['edms.signatures.crypto.oids.TOOL_CLASSES'])


# --- round trips


@pytest.mark.parametrize('algorithm', ALGORITHMS)
def test_round_trip_and_tampering(algorithm: str) -> None:
    key = generate_private_key(algorithm)
    backend = get_backend(key.key_oid)
    spki = public_key_info(key)
    signature = backend.sign(key, _digest_oid(key), DATA)
    assert backend.verify(spki, _digest_oid(key), DATA, signature)
    assert not backend.verify(spki, _digest_oid(key), DATA + b'.', signature)
    other = public_key_info(generate_private_key(algorithm))
    assert not backend.verify(other, _digest_oid(key), DATA, signature)


@pytest.mark.parametrize('algorithm', ['gost2012_256', 'gost2012_512'])
def test_each_gost_backend_verifies_the_others_signature(algorithm: str, gost_keys: dict[str, PrivateKey]) -> None:
    key = gost_keys[algorithm]
    spki = public_key_info(key)
    for signer in _gost_backends():
        signature = signer.sign(key, GOST_DIGEST[algorithm], DATA)
        for verifier in _gost_backends():
            assert verifier.verify(spki, GOST_DIGEST[algorithm], DATA, signature), (signer.name, verifier.name)


def _verdict_inputs(key: PrivateKey) -> dict[str, tuple[bytes, bytes, bool]]:
    """name -> (data, signature, expected verdict) — the same inputs go to both GOST backends."""
    good = correct(key, DATA)
    cases = {name: (DATA, fault(key, DATA), False) for name, fault in FAULTS.items()}
    cases |= {
        'correct': (DATA, good, True),
        'tampered data': (DATA + b' ', good, False),
        'truncated signature': (DATA, good[:-1], False),
        'zero signature': (DATA, bytes(len(good)), False),
        'empty signature': (DATA, b'', False),
        'signature of all ones': (DATA, b'\xff' * len(good), False),
    }
    return cases


@pytest.mark.parametrize('algorithm', ['gost2012_256', 'gost2012_512'])
def test_both_gost_backends_give_identical_verdicts(algorithm: str, gost_keys: dict[str, PrivateKey]) -> None:
    if not gost_engine.available():
        pytest.skip('OpenSSL GOST engine is not installed: only gost-python is available to compare')
    key = gost_keys[algorithm]
    spki = public_key_info(key)
    python, engine = GostPythonBackend(), gost_engine.GostEngineBackend()
    for name, (data, signature, expected) in _verdict_inputs(key).items():
        by_python = python.verify(spki, GOST_DIGEST[algorithm], data, signature)
        by_engine = engine.verify(spki, GOST_DIGEST[algorithm], data, signature)
        assert by_python == by_engine == expected, name


@pytest.mark.parametrize('algorithm', ['gost2012_256', 'gost2012_512'])
def test_gost_python_rejects_each_byte_order_mistake(algorithm: str, gost_keys: dict[str, PrivateKey]) -> None:
    key = gost_keys[algorithm]
    spki = public_key_info(key)
    backend = GostPythonBackend()
    assert backend.verify(spki, GOST_DIGEST[algorithm], DATA, correct(key, DATA))
    for name, fault in FAULTS.items():
        assert not backend.verify(spki, GOST_DIGEST[algorithm], DATA, fault(key, DATA)), name


def test_gost_key_with_the_wrong_streebog_size_is_refused_by_both(gost_keys: dict[str, PrivateKey]) -> None:
    key = gost_keys['gost2012_256']
    for backend in _gost_backends():
        with pytest.raises(UnsupportedAlgorithm):
            backend.sign(key, oids.STREEBOG512, DATA)
        with pytest.raises(UnsupportedAlgorithm):
            backend.verify(public_key_info(key), oids.STREEBOG512, DATA, bytes(64))


def test_a_point_off_the_curve_is_a_key_error_in_both(gost_keys: dict[str, PrivateKey]) -> None:
    spki = bytearray(public_key_info(gost_keys['gost2012_256']))
    spki[-1] ^= 0x01
    for backend in _gost_backends():
        with pytest.raises(KeyFormatError):
            backend.verify(bytes(spki), oids.STREEBOG256, DATA, bytes(64))


def test_standard_backend_refuses_gost_keys_and_sha1_signing() -> None:
    backend = StandardBackend()
    gost_key = generate_private_key('gost2012_256')
    with pytest.raises(UnsupportedAlgorithm):
        backend.sign(gost_key, oids.SHA256, DATA)
    with pytest.raises(UnsupportedAlgorithm):
        backend.sign(generate_private_key('ec'), oids.SHA1, DATA)
    with pytest.raises(UnsupportedAlgorithm):
        backend.verify(public_key_info(gost_key), oids.SHA256, DATA, b'x')


def test_fast_curve_arithmetic_matches_the_unpatched_library() -> None:
    from edms.signatures.crypto.gost_curve import fast_curve, library_curve

    for ps in gost.PARAMSETS.values():
        fast, plain = fast_curve(ps.curve_name, ps.bits), library_curve(ps.curve_name, ps.bits)
        d = bytearray((123456789 * ps.bits + 987654321).to_bytes(ps.size, 'big'))
        e = bytearray(b'\x5a' * ps.size)
        public = fast.public_key_generate(d)
        assert public == plain.public_key_generate(bytearray(d)), ps.name
        assert plain.verify(public, e, fast.sign(bytearray(d), e)), ps.name
        assert fast.verify(public, e, plain.sign(bytearray(d), e)), ps.name


# --- interop with the openssl command line


def _write_signature_case(tmp_path: Path, key: PrivateKey, signature: bytes) -> tuple[Path, Path, Path]:
    data = tmp_path / 'data.bin'
    data.write_bytes(DATA)
    sig = tmp_path / 'data.sig'
    sig.write_bytes(signature)
    return data, sig, write_pem(tmp_path / 'public.pem', 'PUBLIC KEY', public_key_info(key))


@requires_openssl
@pytest.mark.parametrize('algorithm', ['rsa', 'ec'])
def test_openssl_dgst_verifies_our_rsa_and_ecdsa_signatures(algorithm: str, tmp_path: Path) -> None:
    key = generate_private_key(algorithm)
    signature = get_backend(key.key_oid).sign(key, oids.SHA256, DATA)
    data, sig, public = _write_signature_case(tmp_path, key, signature)
    assert openssl('dgst', '-sha256', '-verify', public, '-signature', sig, data).returncode == 0
    data.write_bytes(DATA + b'!')
    assert openssl('dgst', '-sha256', '-verify', public, '-signature', sig, data).returncode == 1


@requires_openssl
@pytest.mark.parametrize('algorithm', ['rsa', 'ec'])
def test_openssl_signatures_verify_in_the_standard_backend(algorithm: str, test_pki: TestPki, tmp_path: Path) -> None:
    user = 'rsa' if algorithm == 'rsa' else 'ec'
    data = tmp_path / 'data.bin'
    data.write_bytes(DATA)
    result = openssl('dgst', '-sha256', '-sign', test_pki.users[user].key_pem, '-out', tmp_path / 's', data)
    assert result.returncode == 0, result.stderr
    spki = public_key_info(load_private_key(test_pki.users[user].key_der.read_bytes()))
    assert StandardBackend().verify(spki, oids.SHA256, DATA, (tmp_path / 's').read_bytes())


@requires_engine
@pytest.mark.parametrize('algorithm', ['gost2012_256', 'gost2012_512'])
def test_openssl_dgst_verifies_signatures_of_both_gost_backends(
    algorithm: str, gost_keys: dict[str, PrivateKey], test_pki: TestPki, tmp_path: Path
) -> None:
    key = gost_keys[algorithm]
    bits = key.handle.paramset.bits
    for backend in _gost_backends():
        data, sig, public = _write_signature_case(tmp_path, key, backend.sign(key, GOST_DIGEST[algorithm], DATA))
        result = openssl(
            'dgst', f'-md_gost12_{bits}', '-verify', public, '-signature', sig, data, conf=test_pki.openssl_conf
        )
        assert result.returncode == 0, (backend.name, result.stdout, result.stderr)


@requires_engine
@pytest.mark.parametrize('algorithm', ['gost2012_256', 'gost2012_512'])
def test_openssl_rejects_each_byte_order_mistake(
    algorithm: str, gost_keys: dict[str, PrivateKey], test_pki: TestPki, tmp_path: Path
) -> None:
    key = gost_keys[algorithm]
    bits = key.handle.paramset.bits
    data, sig, public = _write_signature_case(tmp_path, key, correct(key, DATA))
    args = ('dgst', f'-md_gost12_{bits}', '-verify', public, '-signature', sig, data)
    assert openssl(*args, conf=test_pki.openssl_conf).returncode == 0
    for name, fault in FAULTS.items():
        sig.write_bytes(fault(key, DATA))
        assert openssl(*args, conf=test_pki.openssl_conf).returncode == 1, name


@requires_engine
def test_openssl_pkeyutl_verifies_our_signature_over_the_raw_digest(
    gost_keys: dict[str, PrivateKey], test_pki: TestPki, tmp_path: Path
) -> None:
    """pkeyutl takes the digest H itself: this pins e = H little-endian independently of the digest step."""
    key = gost_keys['gost2012_256']
    _, sig, public = _write_signature_case(tmp_path, key, GostPythonBackend().sign(key, oids.STREEBOG256, DATA))
    digest_file = tmp_path / 'digest.bin'
    digest_file.write_bytes(gost.streebog_python(DATA, 256))
    args = ('pkeyutl', '-verify', '-pubin', '-inkey', public, '-sigfile', sig, '-in', digest_file)
    result = openssl(*args, conf=test_pki.openssl_conf)
    assert result.returncode == 0, (result.stdout, result.stderr)
    digest_file.write_bytes(gost.streebog_python(DATA, 256)[::-1])
    assert openssl(*args, conf=test_pki.openssl_conf).returncode != 0


@requires_engine
@pytest.mark.parametrize('user', ['gost256', 'gost512'])
def test_openssl_made_gost_signatures_verify_in_both_backends(user: str, test_pki: TestPki, tmp_path: Path) -> None:
    files = test_pki.users[user]
    bits = 256 if user == 'gost256' else 512
    data = tmp_path / 'data.bin'
    data.write_bytes(DATA)
    sign = openssl(
        'dgst', f'-md_gost12_{bits}', '-sign', files.key_pem, '-out', tmp_path / 's', data, conf=test_pki.openssl_conf
    )
    assert sign.returncode == 0, sign.stderr
    signature = (tmp_path / 's').read_bytes()
    spki = public_key_info(load_private_key(files.key_der.read_bytes()))
    digest_oid = oids.STREEBOG256 if bits == 256 else oids.STREEBOG512
    for backend in _gost_backends():
        assert backend.verify(spki, digest_oid, DATA, signature), backend.name
        assert not backend.verify(spki, digest_oid, DATA + b'x', signature), backend.name
