//! Decimal division with the library's exact answer, on `u128` instead of 32-bit words.
//!
//! Percentages and deviations are quotients kept at full precision, and their digits are part
//! of every explanation, so the value must be the one `Decimal::checked_div` gives, digit for
//! digit. This module follows the library's algorithm step by step (rust_decimal 1.x,
//! `ops/div.rs`):
//!
//! 1. The integer quotient and remainder of the mantissas, at scale `a.scale - b.scale`.
//! 2. While a remainder is left, the quotient is scaled up by the largest power of ten (at most
//!    `10^9`) that keeps it within 96 bits and the scale within 28, and the remainder's digits
//!    are brought in. A negative scale is raised to 0 the same way.
//! 3. When no more digits fit, the last digit is rounded half to even.
//! 4. If a remainder ever occurred, trailing zeros are stripped with the library's four checks
//!    (which do not always strip them all: the answer must match, not be tidier).
//!
//! Only the arithmetic is wider: where the library works on three 32-bit words, this uses
//! `u128` and native 64-bit division, which is what makes it cheaper.

use rust_decimal::Decimal;

/// The largest 96-bit mantissa.
const MAX_MANTISSA: u128 = (1 << 96) - 1;

/// The library's largest scale.
const MAX_SCALE: i32 = 28;

/// `10^n` for `n` in `0..=9`: the steps the quotient is scaled up by.
const STEP: [u64; 10] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
    1_000_000_000,
];

/// `FITS[x]` is the largest mantissa that can still be multiplied by `10^x` within 96 bits.
const FITS: [u128; 10] = {
    let mut table = [0u128; 10];
    let mut x = 0;
    while x < 10 {
        table[x] = MAX_MANTISSA / STEP[x] as u128;
        x += 1;
    }
    table
};

/// `a / b` exactly as [`Decimal::checked_div`] answers it: `None` when `b` is zero or the
/// quotient does not fit.
pub fn div(a: Decimal, b: Decimal) -> Option<Decimal> {
    if b.is_zero() {
        return None;
    }
    if a.is_zero() {
        return Some(Decimal::ZERO);
    }
    let divisor = b.mantissa().unsigned_abs();
    let mut scale = a.scale() as i32 - b.scale() as i32;
    let (mut quotient, mut remainder) = div_rem(a.mantissa().unsigned_abs(), divisor);
    let mut had_remainder = false;
    if remainder != 0 || scale < 0 {
        loop {
            let power = if remainder == 0 {
                if scale >= 0 {
                    break;
                }
                (-scale).min(9) as usize
            } else {
                had_remainder = true;
                let power = if scale == MAX_SCALE {
                    0
                } else {
                    largest_fitting_power(quotient, scale)?
                };
                if power == 0 {
                    // No digit fits any more: round the last one, half to even.
                    let twice = remainder << 1;
                    if twice > divisor || (twice == divisor && quotient & 1 == 1) {
                        quotient += 1;
                        if quotient > MAX_MANTISSA {
                            (quotient, scale) = drop_digit(quotient, scale, true)?;
                        }
                    }
                    break;
                }
                power
            };
            scale += power as i32;
            // Below 2^96 * 10^9 < 2^126: no overflow of the `u128`, only of the 96 bits.
            quotient *= u128::from(STEP[power]);
            if quotient > MAX_MANTISSA {
                return None;
            }
            let (digits, rest) = div_rem(remainder * u128::from(STEP[power]), divisor);
            quotient += digits;
            remainder = rest;
            if quotient > MAX_MANTISSA {
                (quotient, scale) = drop_digit(quotient, scale, remainder != 0)?;
                break;
            }
        }
    }
    if had_remainder {
        (quotient, scale) = strip_zeros(quotient, scale);
    }
    let magnitude = i128::try_from(quotient).ok()?;
    let negative = a.is_sign_negative() != b.is_sign_negative();
    let mantissa = if negative { -magnitude } else { magnitude };
    Decimal::try_from_i128_with_scale(mantissa, u32::try_from(scale).ok()?).ok()
}

/// `(a / b, a % b)`, with one native 64-bit division when both fit (the usual case).
#[inline]
fn div_rem(a: u128, b: u128) -> (u128, u128) {
    match (u64::try_from(a), u64::try_from(b)) {
        (Ok(x), Ok(y)) => (u128::from(x / y), u128::from(x % y)),
        _ => (a / b, a % b),
    }
}

/// How many digits the quotient can take next: the largest `x <= 9` with
/// `quotient * 10^x` within 96 bits and `scale + x <= 28`. `None` when the quotient is too
/// large to bring a negative scale up to 0; like the library, that test is skipped when a
/// whole step of nine digits fits.
#[inline]
fn largest_fitting_power(quotient: u128, scale: i32) -> Option<usize> {
    let mut x = (MAX_SCALE - scale).clamp(0, 9) as usize;
    if x == 9 && quotient <= FITS[9] {
        return Some(9);
    }
    while x > 0 && quotient > FITS[x] {
        x -= 1;
    }
    if x as i32 + scale < 0 {
        None
    } else {
        Some(x)
    }
}

/// A quotient one digit too long for 96 bits loses its last digit, rounded half to even;
/// `sticky` says digits beyond it were non-zero. `None` when the scale would go negative.
fn drop_digit(quotient: u128, scale: i32, sticky: bool) -> Option<(u128, i32)> {
    if scale < 1 {
        return None;
    }
    let (shorter, digit) = (quotient / 10, quotient % 10);
    let round_up = digit > 5 || (digit == 5 && (sticky || shorter & 1 == 1));
    Some((shorter + u128::from(round_up), scale - 1))
}

/// Trailing zeros removed as the library does: by `10^8` while the low 32 bits are zero, then
/// at most once each by `10^4`, `10^2` and `10`, each tried only when the low bits allow it.
fn strip_zeros(mut quotient: u128, mut scale: i32) -> (u128, i32) {
    while quotient & 0xFFFF_FFFF == 0 && scale >= 8 && quotient.is_multiple_of(100_000_000) {
        quotient /= 100_000_000;
        scale -= 8;
    }
    for (digits, low_bits, power) in [(4, 0xF, 10_000u64), (2, 0x3, 100), (1, 0x1, 10)] {
        if quotient & low_bits == 0 && scale >= digits && divisible(quotient, power) {
            quotient /= u128::from(power);
            scale -= digits;
        }
    }
    (quotient, scale)
}

/// `quotient % power == 0` without a 128-bit division: with `quotient = high * 2^64 + low`,
/// the remainder is that of `(high % power) * (2^64 % power) + low % power`, all in `u64`
/// (each factor is below `power <= 10^4`, so the sum cannot overflow).
#[inline]
fn divisible(quotient: u128, power: u64) -> bool {
    let (high, low) = ((quotient >> 64) as u64, quotient as u64);
    let wrap = ((1u128 << 64) % u128::from(power)) as u64;
    ((high % power) * wrap + low % power).is_multiple_of(power)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    fn same(a: Decimal, b: Decimal) {
        let ours = div(a, b);
        let library = a.checked_div(b);
        assert_eq!(
            (ours, ours.map(|q| q.to_string())),
            (library, library.map(|q| q.to_string())),
            "{a} / {b}"
        );
    }

    #[test]
    fn matches_the_library_on_the_scoring_shapes() {
        for (a, b) in [
            (dec!(4500), dec!(1234)),
            (dec!(100), dec!(3)),
            (dec!(1), dec!(8)),
            (dec!(1.10), dec!(4)),
            (dec!(1.00), dec!(1)),
            (dec!(100), dec!(0.5)),
            (dec!(-2000), dec!(1800)),
            (dec!(0), dec!(-7)),
            (dec!(5), dec!(0)),
            (dec!(2220), dec!(25)),
            (dec!(0.0000000000000000000000000001), dec!(3)),
            (dec!(-0.0000000000000000000000000001), dec!(3)),
            (dec!(0.0000000000000000000000000002), dec!(4)),
            (dec!(0.0000000000000000000000000003), dec!(4)),
            (Decimal::MAX, dec!(0.1)),
            (Decimal::MAX, dec!(1)),
            (Decimal::MAX, dec!(3)),
            (Decimal::MAX, Decimal::MAX),
            (Decimal::MIN, dec!(-0.5)),
            (dec!(1), Decimal::MAX),
            (
                dec!(7.9228162514264337593543950335),
                dec!(0.9999999999999999999999999999),
            ),
            (dec!(79228162514264337593543950334), dec!(0.99)),
            (dec!(2), dec!(3)),
            (dec!(20), dec!(3)),
            (dec!(200000), dec!(0.0000003)),
            (dec!(12345678901234567890), dec!(98765432109876543210)),
        ] {
            same(a, b);
        }
    }

    #[test]
    fn matches_the_library_on_small_whole_numbers() {
        for a in -120..=120i64 {
            for b in -40..=40i64 {
                same(Decimal::from(a * 100), Decimal::from(b));
                same(Decimal::new(a, 2), Decimal::new(b, 1));
            }
        }
    }

    fn decimal() -> impl Strategy<Value = Decimal> {
        // Mantissas of every length, so each of the library's 32-, 64- and 96-bit divisor paths
        // and the overflow edges are reached, at every scale.
        (0u32..=96, any::<u128>(), 0u32..=28, any::<bool>()).prop_map(
            |(bits, raw, scale, negative)| {
                let mantissa = if bits == 0 { 0 } else { raw >> (128 - bits) };
                let mut d = Decimal::from_i128_with_scale(mantissa as i128, scale);
                d.set_sign_negative(negative);
                d
            },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]
        #[test]
        fn matches_the_library_everywhere(a in decimal(), b in decimal()) {
            let ours = div(a, b);
            let library = a.checked_div(b);
            prop_assert_eq!(ours.map(|q| (q, q.to_string())), library.map(|q| (q, q.to_string())));
        }
    }
}
