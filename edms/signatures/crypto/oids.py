"""Object identifiers used by the signature code: algorithms, GOST parameter sets and the ФСБ 795 profile.

Everything is a dotted string so that asn1crypto (`.dotted`), cryptography (`.dotted_string`) and openssl output can
be compared without translation tables.
"""

from __future__ import annotations

# --- public key algorithms
RSA = '1.2.840.113549.1.1.1'
EC = '1.2.840.10045.2.1'
GOST2012_256 = '1.2.643.7.1.1.1.1'
GOST2012_512 = '1.2.643.7.1.1.1.2'
GOST_KEYS = frozenset({GOST2012_256, GOST2012_512})

# --- digests
SHA1 = '1.3.14.3.2.26'
SHA224 = '2.16.840.1.101.3.4.2.4'
SHA256 = '2.16.840.1.101.3.4.2.1'
SHA384 = '2.16.840.1.101.3.4.2.2'
SHA512 = '2.16.840.1.101.3.4.2.3'
STREEBOG256 = '1.2.643.7.1.1.2.2'
STREEBOG512 = '1.2.643.7.1.1.2.3'
SHA_DIGESTS = frozenset({SHA1, SHA224, SHA256, SHA384, SHA512})
STREEBOG_DIGESTS = frozenset({STREEBOG256, STREEBOG512})

# --- signature algorithms (X.509 signatureAlgorithm, CMS signatureAlgorithm)
SHA256_RSA = '1.2.840.113549.1.1.11'
SHA384_RSA = '1.2.840.113549.1.1.12'
SHA512_RSA = '1.2.840.113549.1.1.13'
SHA1_RSA = '1.2.840.113549.1.1.5'
ECDSA_SHA256 = '1.2.840.10045.4.3.2'
ECDSA_SHA384 = '1.2.840.10045.4.3.3'
ECDSA_SHA512 = '1.2.840.10045.4.3.4'
GOST2012_256_SIGNATURE = '1.2.643.7.1.1.3.2'
GOST2012_512_SIGNATURE = '1.2.643.7.1.1.3.3'

#: (key algorithm, digest) -> X.509 signature algorithm
SIGNATURE_ALGORITHMS: dict[tuple[str, str], str] = {
    (RSA, SHA1): SHA1_RSA,
    (RSA, SHA256): SHA256_RSA,
    (RSA, SHA384): SHA384_RSA,
    (RSA, SHA512): SHA512_RSA,
    (EC, SHA256): ECDSA_SHA256,
    (EC, SHA384): ECDSA_SHA384,
    (EC, SHA512): ECDSA_SHA512,
    (GOST2012_256, STREEBOG256): GOST2012_256_SIGNATURE,
    (GOST2012_512, STREEBOG512): GOST2012_512_SIGNATURE,
}
#: X.509/CMS signature algorithm -> (key algorithm, digest); GOST key OIDs used as CMS signature algorithms included
SIGNATURE_ALGORITHM_PARTS: dict[str, tuple[str, str]] = {
    **{sig: pair for pair, sig in SIGNATURE_ALGORITHMS.items()},
    GOST2012_256: (GOST2012_256, STREEBOG256),
    GOST2012_512: (GOST2012_512, STREEBOG512),
}
#: The digest a GOST key signs with (R 34.10-2012 pairs each key size with one Streebog size).
GOST_DIGEST_FOR_KEY = {GOST2012_256: STREEBOG256, GOST2012_512: STREEBOG512}

# --- GOST R 34.10-2012 parameter sets
CRYPTOPRO_A = '1.2.643.2.2.35.1'
CRYPTOPRO_B = '1.2.643.2.2.35.2'
CRYPTOPRO_C = '1.2.643.2.2.35.3'
CRYPTOPRO_XCH_A = '1.2.643.2.2.36.0'
CRYPTOPRO_XCH_B = '1.2.643.2.2.36.1'
TC26_256_A = '1.2.643.7.1.2.1.1.1'
TC26_256_B = '1.2.643.7.1.2.1.1.2'
TC26_256_C = '1.2.643.7.1.2.1.1.3'
TC26_256_D = '1.2.643.7.1.2.1.1.4'
TC26_512_A = '1.2.643.7.1.2.1.2.1'
TC26_512_B = '1.2.643.7.1.2.1.2.2'
TC26_512_C = '1.2.643.7.1.2.1.2.3'

# --- X.509 standard name attributes and extensions
COMMON_NAME = '2.5.4.3'
SURNAME = '2.5.4.4'
COUNTRY = '2.5.4.6'
LOCALITY = '2.5.4.7'
STATE = '2.5.4.8'
STREET = '2.5.4.9'
ORGANIZATION = '2.5.4.10'
ORGANIZATIONAL_UNIT = '2.5.4.11'
TITLE = '2.5.4.12'
GIVEN_NAME = '2.5.4.42'
EMAIL = '1.2.840.113549.1.9.1'
CERTIFICATE_POLICIES = '2.5.29.32'

# --- the qualified certificate profile (Приказ ФСБ № 795)
OGRN = '1.2.643.100.1'
SNILS = '1.2.643.100.3'
INNLE = '1.2.643.100.4'
OGRNIP = '1.2.643.100.5'
INN = '1.2.643.3.131.1.1'
SUBJECT_SIGN_TOOL = '1.2.643.100.111'
ISSUER_SIGN_TOOL = '1.2.643.100.112'
#: certificatePolicies OIDs of the signature-tool classes
TOOL_CLASSES: dict[str, str] = {
    '1.2.643.100.113.1': 'КС1',
    '1.2.643.100.113.2': 'КС2',
    '1.2.643.100.113.3': 'КС3',
    '1.2.643.100.113.4': 'КВ1',
    '1.2.643.100.113.5': 'КВ2',
    '1.2.643.100.113.6': 'КА1',
}
TOOL_CLASS_OIDS = {label: oid for oid, label in TOOL_CLASSES.items()}

# --- PKCS#12 encryption used by GOST containers (detection only)
GOST_OID_PREFIX = '1.2.643.'
