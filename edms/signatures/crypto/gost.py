"""GOST R 34.10-2012 keys and GOST R 34.11-2012 (Streebog) digests, with the byte-order conventions in one place.

Conventions (RFC 4491 §2.2, RFC 9215; SIGNATURES.md §3c):
- the digest H is kept as the hash outputs it; the number signed is e = int.from_bytes(H, 'little');
- a signature on the wire is s ‖ r, each half big-endian;
- a public key (SPKI BIT STRING → OCTET STRING) is X_le ‖ Y_le, each half little-endian;
- a private key in PKCS#8 is 32/64 raw little-endian bytes; a wrapped OCTET STRING or an INTEGER is accepted too.
gostcrypto works big-endian on everything: the conversions happen here and nowhere else.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any, ClassVar

import gostcrypto
from asn1crypto import core, keys

from edms.signatures.crypto import oids
from edms.signatures.crypto.asn1_patch import patch_asn1crypto
from edms.signatures.crypto.errors import KeyFormatError, UnsupportedAlgorithm
from edms.signatures.crypto.gost_curve import FastGost, PointAtInfinity, fast_curve

patch_asn1crypto()


@dataclass(frozen=True)
class ParamSet:
    """A GOST R 34.10-2012 parameter set: its OID, a display name, key size and the gostcrypto curve it is."""

    oid: str
    name: str
    bits: int
    curve_name: str

    @property
    def key_oid(self) -> str:
        return oids.GOST2012_256 if self.bits == 256 else oids.GOST2012_512

    @property
    def digest_oid(self) -> str:
        return oids.GOST_DIGEST_FOR_KEY[self.key_oid]

    @property
    def size(self) -> int:
        return self.bits // 8


_TC26_256 = 'id-tc26-gost-3410-2012-256-paramSet'
PARAMSETS: dict[str, ParamSet] = {
    ps.oid: ps
    for ps in (
        ParamSet(oids.CRYPTOPRO_A, 'CryptoPro-A', 256, _TC26_256 + 'B'),
        ParamSet(oids.CRYPTOPRO_B, 'CryptoPro-B', 256, _TC26_256 + 'C'),
        ParamSet(oids.CRYPTOPRO_C, 'CryptoPro-C', 256, _TC26_256 + 'D'),
        ParamSet(oids.CRYPTOPRO_XCH_A, 'CryptoPro-XchA', 256, _TC26_256 + 'B'),
        ParamSet(oids.CRYPTOPRO_XCH_B, 'CryptoPro-XchB', 256, _TC26_256 + 'D'),
        ParamSet(oids.TC26_256_A, 'tc26-256-A', 256, _TC26_256 + 'A'),
        ParamSet(oids.TC26_256_B, 'tc26-256-B', 256, _TC26_256 + 'B'),
        ParamSet(oids.TC26_256_C, 'tc26-256-C', 256, _TC26_256 + 'C'),
        ParamSet(oids.TC26_256_D, 'tc26-256-D', 256, _TC26_256 + 'D'),
        ParamSet(oids.TC26_512_A, 'tc26-512-A', 512, 'id-tc26-gost-3410-12-512-paramSetA'),
        ParamSet(oids.TC26_512_B, 'tc26-512-B', 512, 'id-tc26-gost-3410-12-512-paramSetB'),
        ParamSet(oids.TC26_512_C, 'tc26-512-C', 512, 'id-tc26-gost-3410-2012-512-paramSetC'),
    )
}


class GostKeyParameters(core.Sequence):
    """GostR3410-2012-PublicKeyParameters: the parameter set and (for CryptoPro sets) the digest parameter set."""

    _fields: ClassVar[list[tuple[Any, ...]]] = [
        ('public_key_param_set', core.ObjectIdentifier),
        ('digest_param_set', core.ObjectIdentifier, {'optional': True}),
        ('encryption_param_set', core.ObjectIdentifier, {'optional': True}),
    ]


def paramset(oid: str, key_oid: str | None = None) -> ParamSet:
    """The parameter set for an OID; UnsupportedAlgorithm when unknown or of the other key size."""
    found = PARAMSETS.get(oid)
    if found is None or (key_oid is not None and found.key_oid != key_oid):
        raise UnsupportedAlgorithm(f'Набор параметров ГОСТ Р 34.10-2012 {oid} не поддерживается.')
    return found


def curve_for(ps: ParamSet) -> FastGost:
    return fast_curve(ps.curve_name, ps.bits)


def algorithm_identifier(ps: ParamSet, digest_paramset: str | None) -> dict[str, Any]:
    """The AlgorithmIdentifier of a key: openssl writes digestParamSet for CryptoPro sets, RFC 9215 omits it else."""
    params: dict[str, Any] = {'public_key_param_set': ps.oid}
    if digest_paramset:
        params['digest_param_set'] = digest_paramset
    return {'algorithm': ps.key_oid, 'parameters': GostKeyParameters(params)}


def default_digest_paramset(ps: ParamSet) -> str | None:
    return ps.digest_oid if ps.oid.startswith('1.2.643.2.2.') else None


def _read_parameters(parameters: Any, key_oid: str) -> tuple[ParamSet, str | None]:
    try:
        params = GostKeyParameters.load(parameters.dump())
        ps = paramset(params['public_key_param_set'].dotted, key_oid)
        digest_ps = params['digest_param_set'].dotted if params['digest_param_set'].native else None
    except (ValueError, TypeError, KeyError) as error:
        raise KeyFormatError('Параметры ключа ГОСТ Р 34.10-2012 повреждены.') from error
    return ps, digest_ps


@dataclass(frozen=True, eq=False)
class GostPublicKey:
    """A parsed GOST public key: the point in big-endian integers, its parameter set and the SPKI it came from."""

    paramset: ParamSet
    x: int
    y: int
    spki_der: bytes = field(repr=False)

    def point_be(self) -> bytearray:
        size = self.paramset.size
        return bytearray(self.x.to_bytes(size, 'big') + self.y.to_bytes(size, 'big'))


@dataclass(eq=False)
class GostPrivateKey:
    """The handle of a GOST private key. `d` is secret: it is never printed; backends cache natives in `natives`."""

    paramset: ParamSet
    digest_paramset: str | None
    d: int = field(repr=False)
    natives: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def key_oid(self) -> str:
        return self.paramset.key_oid

    @property
    def algorithm(self) -> str:
        return 'gost2012_256' if self.paramset.bits == 256 else 'gost2012_512'

    def public_key(self) -> GostPublicKey:
        """The public key (computed once, then cached)."""
        if 'public' not in self.natives:
            ps = self.paramset
            x, y = curve_for(ps)._mul_point(self.d)
            self.natives['public'] = GostPublicKey(ps, x, y, encode_public_key(ps, x, y, self.digest_paramset))
        return self.natives['public']

    def pkcs8_der(self) -> bytes:
        """PKCS#8 PrivateKeyInfo as gost-engine 3.x writes it: the key as raw little-endian octets."""
        ps = self.paramset
        return keys.PrivateKeyInfo(
            {
                'version': 0,
                'private_key_algorithm': algorithm_identifier(ps, self.digest_paramset),
                'private_key': self.d.to_bytes(ps.size, 'little'),
            }
        ).dump()


def encode_public_key(ps: ParamSet, x: int, y: int, digest_paramset: str | None) -> bytes:
    """SubjectPublicKeyInfo DER: BIT STRING wrapping OCTET STRING(X_le ‖ Y_le)."""
    raw = x.to_bytes(ps.size, 'little') + y.to_bytes(ps.size, 'little')
    return keys.PublicKeyInfo(
        {'algorithm': algorithm_identifier(ps, digest_paramset), 'public_key': core.OctetString(raw)}
    ).dump()


@lru_cache(maxsize=1024)
def parse_public_key(spki_der: bytes) -> GostPublicKey:
    """Read a GOST SubjectPublicKeyInfo (parsed once per distinct key); KeyFormatError when it is not a valid key."""
    try:
        info = keys.PublicKeyInfo.load(spki_der, strict=True)
        key_oid = info['algorithm']['algorithm'].dotted
        raw = info['public_key'].parsed.native
    except (ValueError, TypeError, KeyError) as error:
        raise KeyFormatError('Открытый ключ ГОСТ Р 34.10-2012 повреждён.') from error
    if key_oid not in oids.GOST_KEYS:
        raise UnsupportedAlgorithm(f'Ключ {key_oid} не является ключом ГОСТ Р 34.10-2012.')
    ps, _ = _read_parameters(info['algorithm']['parameters'], key_oid)
    if len(raw) != 2 * ps.size:
        raise KeyFormatError('Открытый ключ ГОСТ Р 34.10-2012 имеет неверную длину.')
    x = int.from_bytes(raw[: ps.size], 'little')
    y = int.from_bytes(raw[ps.size :], 'little')
    if not curve_for(ps).is_on_curve(x, y):
        raise KeyFormatError('Открытый ключ ГОСТ Р 34.10-2012 не лежит на кривой своего набора параметров.')
    return GostPublicKey(ps, x, y, spki_der)


def private_key_from_pkcs8(info: keys.PrivateKeyInfo) -> GostPrivateKey:
    """A GOST key from PKCS#8: raw little-endian octets, a wrapped OCTET STRING (little-endian) or an INTEGER."""
    key_oid = info['private_key_algorithm']['algorithm'].dotted
    ps, digest_ps = _read_parameters(info['private_key_algorithm']['parameters'], key_oid)
    raw = info['private_key'].contents
    if len(raw) == ps.size:
        d = int.from_bytes(raw, 'little')
    elif raw[:1] == b'\x04':
        d = int.from_bytes(_load(core.OctetString, raw), 'little')
    elif raw[:1] == b'\x02':
        d = _load(core.Integer, raw)
    else:
        raise KeyFormatError('Закрытый ключ ГОСТ Р 34.10-2012 записан в неизвестном формате (например, маскированный).')
    if not 0 < d < curve_for(ps)._q:
        raise KeyFormatError('Закрытый ключ ГОСТ Р 34.10-2012 вне допустимого диапазона.')
    return GostPrivateKey(ps, digest_ps, d)


def _load(spec: type[core.Asn1Value], raw: bytes) -> Any:
    try:
        return spec.load(raw, strict=True).native
    except (ValueError, TypeError) as error:
        raise KeyFormatError('Закрытый ключ ГОСТ Р 34.10-2012 повреждён.') from error


def generate_private_key(paramset_oid: str = oids.CRYPTOPRO_A) -> GostPrivateKey:
    """A new random key on the given parameter set (digestParamSet written as openssl does)."""
    ps = paramset(paramset_oid)
    q = curve_for(ps)._q
    return GostPrivateKey(ps, default_digest_paramset(ps), 1 + secrets.randbelow(q - 1))


# --- Streebog


@cache
def _hashlib_has_streebog() -> bool:
    try:
        hashlib.new('md_gost12_256', b'')
    except ValueError:
        return False
    return True


def streebog_python(data: bytes, bits: int) -> bytes:
    """Streebog through gostcrypto (pure Python, about 200 KiB/s)."""
    return bytes(gostcrypto.gosthash.new(f'streebog{bits}', data=data).digest())


def streebog(data: bytes, bits: int) -> bytes:
    """Streebog-256/512 of `data`: through hashlib when its OpenSSL has the GOST provider, else pure Python."""
    if _hashlib_has_streebog():
        return hashlib.new(f'md_gost12_{bits}', data).digest()
    return streebog_python(data, bits)


def digest_bits(digest_oid: str) -> int:
    if digest_oid == oids.STREEBOG256:
        return 256
    if digest_oid == oids.STREEBOG512:
        return 512
    raise UnsupportedAlgorithm(f'Алгоритм хэширования {digest_oid} не является ГОСТ Р 34.11-2012.')


def check_digest_for_key(key_oid: str, digest_oid: str) -> None:
    """GOST R 34.10-2012-256 signs Streebog-256 digests and -512 signs Streebog-512; any other pair is refused."""
    if oids.GOST_DIGEST_FOR_KEY.get(key_oid) != digest_oid:
        raise UnsupportedAlgorithm(f'Ключ ГОСТ {key_oid} не используется с алгоритмом хэширования {digest_oid}.')


# --- signing and verifying a digest (the gostcrypto byte-order conversions)


def sign_digest(key: GostPrivateKey, h: bytes) -> bytes:
    """Sign the Streebog digest H: e = H little-endian; returns s ‖ r (each big-endian)."""
    size = key.paramset.size
    r_s = curve_for(key.paramset).sign(bytearray(key.d.to_bytes(size, 'big')), bytearray(h[::-1]))
    return bytes(r_s[size:] + r_s[:size])


def verify_digest(public: GostPublicKey, h: bytes, signature: bytes) -> bool:
    """Check s ‖ r over the Streebog digest H; False for any malformed signature."""
    size = public.paramset.size
    if len(signature) != 2 * size or len(h) != size:
        return False
    r_s = bytearray(signature[size:] + signature[:size])
    try:
        return bool(curve_for(public.paramset).verify(public.point_be(), bytearray(h[::-1]), r_s))
    except (PointAtInfinity, ValueError, gostcrypto.gostsignature.GOSTSignatureError):
        return False
