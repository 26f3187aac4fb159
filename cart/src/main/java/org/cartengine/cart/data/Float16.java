package org.cartengine.cart.data;

/**
 * IEEE 754 binary16 conversions (JDK 17 has no {@code Float.float16ToFloat}). Narrowing rounds to nearest even and
 * keeps infinities and NaN; values beyond the float16 range become infinite.
 */
final class Float16 {
  private Float16() {}

  static float toFloat(short h) {
    int bits = h & 0xffff;
    int sign = (bits & 0x8000) << 16;
    int exp = (bits >>> 10) & 0x1f;
    int mant = bits & 0x3ff;
    if (exp == 0x1f) return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    if (exp == 0) {
      if (mant == 0) return Float.intBitsToFloat(sign);
      float v = mant * 0x1p-24f; // subnormal: mant * 2^-24, exact in float
      return sign == 0 ? v : -v;
    }
    return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
  }

  static short fromFloat(float f) {
    int x = Float.floatToRawIntBits(f);
    int sign = (x >>> 16) & 0x8000;
    int exp = (x >>> 23) & 0xff;
    int mant = x & 0x7fffff;
    if (exp == 0xff) return (short) (sign | 0x7c00 | (mant != 0 ? 0x200 : 0));
    int e = exp - 127 + 15;
    if (e >= 0x1f) return (short) (sign | 0x7c00);
    if (e <= 0) {
      if (e < -10) return (short) sign; // below half the smallest subnormal
      mant |= 0x800000;
      int shift = 14 - e;
      int h = mant >>> shift;
      int rem = mant & ((1 << shift) - 1);
      int half = 1 << (shift - 1);
      if (rem > half || (rem == half && (h & 1) != 0)) h++;
      return (short) (sign | h);
    }
    int h = (e << 10) | (mant >>> 13);
    int rem = mant & 0x1fff;
    if (rem > 0x1000 || (rem == 0x1000 && (h & 1) != 0)) h++; // a carry into the exponent is the correct rounding
    return (short) (sign | h);
  }
}
