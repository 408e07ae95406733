"""Fast elliptic-curve arithmetic for gostcrypto: the library's signature class with its slow parts replaced.

gostcrypto 1.2.5 is correct but slow (a recursive extended gcd per inversion, affine coordinates, byte-array
comparisons): about 15 verifications per second. `FastGost` subclasses its `GOST34102012` and overrides the point
arithmetic only (Jacobian coordinates, a 4-bit window, a cached table for the base point, `pow(v, -1, p)`); the
signing and verification formulas stay the library's own. Nothing in the installed library is modified, so other
users of gostcrypto are unaffected: the patch is contained in this subclass.
"""

from __future__ import annotations

from functools import cache

from gostcrypto.gostsignature import CURVES_R_1323565_1_024_2019, GOST34102012, MODE_256, MODE_512

_WINDOW = 4
_INFINITY = (1, 1, 0)

Jacobian = tuple[int, int, int]


class PointAtInfinity(ArithmeticError):
    """A scalar multiplication or addition gave the neutral element (only forged inputs can cause it)."""


class FastGost(GOST34102012):
    """GOST R 34.10-2012 over one curve, with fast point arithmetic."""

    def __init__(self, mode: int, curve: dict) -> None:
        super().__init__(mode, curve)
        self._base_table: list[Jacobian] | None = None

    @staticmethod
    def _invert(value: int, n_mod: int) -> int:
        return pow(value, -1, n_mod)

    def _add(self, x_1: int, x_2: int, y_1: int, y_2: int) -> tuple[int, int]:
        point = self._jadd((x_1, y_1, 1), (x_2, y_2, 1))
        return self._affine(point)

    def _mul_point(self, mul_value: int, x_op: int = -1, y_op: int = -1) -> tuple[int, int]:
        if x_op < 0 or y_op < 0:
            if self._base_table is None:
                self._base_table = self._table((self._x, self._y, 1))
            table = self._base_table
        else:
            table = self._table((x_op, y_op, 1))
        return self._affine(self._window_mul(mul_value, table))

    def is_on_curve(self, x: int, y: int) -> bool:
        """True when (x, y) is a point of this curve (a public key must be)."""
        p = self._p
        return 0 <= x < p and 0 <= y < p and (y * y - (x * x * x + self._a * x + self._b)) % p == 0

    def _table(self, point: Jacobian) -> list[Jacobian]:
        table = [_INFINITY, point]
        for _ in range(2, 1 << _WINDOW):
            table.append(self._jadd(table[-1], point))
        return table

    def _window_mul(self, scalar: int, table: list[Jacobian]) -> Jacobian:
        result = _INFINITY
        mask = (1 << _WINDOW) - 1
        for shift in range(((scalar.bit_length() + _WINDOW - 1) // _WINDOW - 1) * _WINDOW, -1, -_WINDOW):
            for _ in range(_WINDOW):
                result = self._jdouble(result)
            digit = (scalar >> shift) & mask
            if digit:
                result = self._jadd(result, table[digit])
        return result

    def _affine(self, point: Jacobian) -> tuple[int, int]:
        x, y, z = point
        if z == 0:
            raise PointAtInfinity
        p = self._p
        z_inv = pow(z, -1, p)
        z_inv2 = z_inv * z_inv % p
        return x * z_inv2 % p, y * z_inv2 * z_inv % p

    def _jdouble(self, point: Jacobian) -> Jacobian:
        x, y, z = point
        if z == 0 or y == 0:
            return _INFINITY
        p = self._p
        yy = y * y % p
        s = 4 * x * yy % p
        zz = z * z % p
        m = (3 * x * x + self._a * zz * zz) % p
        x3 = (m * m - 2 * s) % p
        return x3, (m * (s - x3) - 8 * yy * yy) % p, 2 * y * z % p

    def _jadd(self, first: Jacobian, second: Jacobian) -> Jacobian:
        x1, y1, z1 = first
        x2, y2, z2 = second
        if z1 == 0:
            return second
        if z2 == 0:
            return first
        p = self._p
        z1z1 = z1 * z1 % p
        z2z2 = z2 * z2 % p
        u1 = x1 * z2z2 % p
        u2 = x2 * z1z1 % p
        s1 = y1 * z2 * z2z2 % p
        s2 = y2 * z1 * z1z1 % p
        h = (u2 - u1) % p
        r = (s2 - s1) % p
        if h == 0:
            return self._jdouble(first) if r == 0 else _INFINITY
        hh = h * h % p
        hhh = h * hh % p
        v = u1 * hh % p
        x3 = (r * r - hhh - 2 * v) % p
        return x3, (r * (v - x3) - s1 * hhh) % p, z1 * z2 * h % p


@cache
def fast_curve(curve_name: str, bits: int) -> FastGost:
    """The (cached) fast signature object for a gostcrypto curve name and key size 256 or 512."""
    return FastGost(MODE_256 if bits == 256 else MODE_512, CURVES_R_1323565_1_024_2019[curve_name])


@cache
def library_curve(curve_name: str, bits: int) -> GOST34102012:
    """gostcrypto's own, unpatched signature object (tests compare the fast one against it)."""
    return GOST34102012(MODE_256 if bits == 256 else MODE_512, CURVES_R_1323565_1_024_2019[curve_name])
