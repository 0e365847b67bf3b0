//! Decimal division with the library's exact answer, for the operands scoring divides.
//!
//! Percentages and deviations are quotients kept at full precision, and their digits are part
//! of every explanation, so the value must be the one [`Decimal::checked_div`] gives, digit for
//! digit. The rules divide counts, volumes and percentages: a dividend below 2^64 and a divisor
//! below 2^32. For those the digits come from long division in groups of nine, and the
//! library's answer follows:
//!
//! - The library stops early only when the division comes out exact. Otherwise it adds digits
//!   while the mantissa fits in 96 bits and the scale stays within 28, so it ends at the
//!   largest such scale, and rounds its last digit half to even.
//! - It then strips trailing zeros, with checks that do not always strip them all. The answer
//!   must match the library's, not be tidier, so those checks are copied here.
//!
//! What makes it cheaper is measured, not the division count: with real operands the
//! library's time goes to branches that go either way at random (a correction, the rounding,
//! the zero stripping) and to reading back operands just written in pieces. Here each group of
//! digits is a multiplication by the divisor's reciprocal with a correction taken without a
//! branch, the rounding is arithmetic, most quotients leave the zero stripping after one test,
//! and [`div_parts`] takes an integer dividend as it is (34 against 51 ns per division in
//! isolation; 111 -> 104 ms per 100,000 sellers).
//!
//! Anything else goes to the library: quotients that come out exact after some digits, a
//! rounding that would overflow 96 bits, and operands outside the fast path.

use rust_decimal::Decimal;

/// The largest 96-bit mantissa.
const MAX_MANTISSA: u128 = (1 << 96) - 1;

/// The library's largest scale.
const MAX_SCALE: u32 = 28;

/// `10^n` for `n` in `0..=19`, the powers a `u64` holds.
const POW10: [u64; 20] = {
    let mut table = [1u64; 20];
    let mut i = 1;
    while i < 20 {
        table[i] = table[i - 1] * 10;
        i += 1;
    }
    table
};

/// `a / b` exactly as [`Decimal::checked_div`] answers it: `None` when `b` is zero or the
/// quotient does not fit.
#[inline]
pub fn div(a: Decimal, b: Decimal) -> Option<Decimal> {
    match u64::try_from(a.mantissa().unsigned_abs()) {
        Ok(dividend) => div_parts(dividend, a.scale(), a.is_sign_negative(), b),
        Err(_) => a.checked_div(b),
    }
}

/// [`div`] for a dividend given by its parts (`dividend / 10^scale`, negative or not), so a
/// caller holding an integer need not build a decimal first.
///
/// Always inlined, with the fast path: a quotient returned from a call comes back through
/// memory in pieces, and the caller that reads it whole stalls (change 33 in
/// `docs/performance.md`).
#[inline(always)]
pub fn div_parts(dividend: u64, scale: u32, negative: bool, b: Decimal) -> Option<Decimal> {
    match fast_div(dividend, scale, negative, b) {
        Some(quotient) => Some(quotient),
        None => library_div(dividend, scale, negative, b),
    }
}

/// [`div_parts`] by the library, where the fast path declines: rare in scoring, so kept out of
/// the callers' code.
#[cold]
#[inline(never)]
fn library_div(dividend: u64, scale: u32, negative: bool, b: Decimal) -> Option<Decimal> {
    let mut a = Decimal::try_from_i128_with_scale(i128::from(dividend), scale).ok()?;
    a.set_sign_negative(negative);
    a.checked_div(b)
}

/// [`div`] on the fast path; `None` when the library must answer. Inlined into [`div_parts`],
/// so the quotient is built where it is used.
#[inline(always)]
fn fast_div(dividend: u64, scale: u32, negative: bool, b: Decimal) -> Option<Decimal> {
    let divisor = u64::from(u32::try_from(b.mantissa().unsigned_abs()).ok()?);
    let start = scale.checked_sub(b.scale())?;
    if divisor == 0 {
        return None;
    }
    if dividend == 0 {
        return Some(Decimal::ZERO);
    }
    let negative = negative != b.is_sign_negative();
    let (whole, mut rest) = (dividend / divisor, dividend % divisor);
    if rest == 0 {
        // Exact at once: the library keeps the integer quotient at the starting scale.
        return signed(u128::from(whole), start, negative);
    }
    // The mantissa holds 29 digits when they stay below 2^96: with `whole` taking `len`
    // digits, `29 - len` decimals may fit and `28 - len` always do. The sure ones first.
    let len = whole.checked_ilog10().map_or(0, |digits| digits + 1);
    let room = MAX_SCALE - start;
    let sure = room.min(MAX_SCALE.saturating_sub(len));
    let mut mantissa = u128::from(whole);
    let mut left = sure;
    let by = Reciprocal::of(divisor);
    while left > 0 {
        let step = left.min(9);
        let (digits, remainder) = by.div_rem(rest * POW10[step as usize]);
        mantissa = mantissa * u128::from(POW10[step as usize]) + u128::from(digits);
        rest = remainder;
        left -= step;
        if rest == 0 {
            // Exact after some digits: where the library stops depends on its steps.
            return None;
        }
    }
    let mut scale = start + sure;
    if sure < room {
        // One more digit, when the mantissa still fits with it.
        let (digit, remainder) = by.div_rem(rest * 10);
        let longer = mantissa * 10 + u128::from(digit);
        if longer <= MAX_MANTISSA {
            if remainder == 0 {
                return None;
            }
            mantissa = longer;
            rest = remainder;
            scale += 1;
        }
    }
    // Round the last digit half to even on the exact quotient.
    let twice = rest << 1;
    let up = (twice > divisor) | ((twice == divisor) & (mantissa & 1 == 1));
    mantissa += u128::from(up);
    if mantissa > MAX_MANTISSA {
        return None;
    }
    let (mantissa, scale) = strip_zeros(mantissa, scale);
    signed(mantissa, scale, negative)
}

/// Division by one divisor many times: a multiplication by its reciprocal, corrected once,
/// instead of a hardware division for each group of digits.
struct Reciprocal {
    divisor: u64,
    /// `floor((2^64 - 1) / divisor)`.
    inverse: u64,
}

impl Reciprocal {
    /// For a divisor in `1..2^32`.
    fn of(divisor: u64) -> Self {
        Self {
            divisor,
            inverse: u64::MAX / divisor,
        }
    }

    /// `(n / divisor, n % divisor)` for `n < 2^63`. The estimate `n * inverse / 2^64` is below
    /// the quotient by less than `2n / 2^64 < 1` (the inverse is short of `2^64 / divisor` by
    /// less than 2), so it is the quotient or one less.
    #[inline]
    fn div_rem(&self, n: u64) -> (u64, u64) {
        let estimate = ((u128::from(n) * u128::from(self.inverse)) >> 64) as u64;
        let remainder = n - estimate * self.divisor;
        // Without a branch: the correction is taken about half the time, unpredictably.
        let short = u64::from(remainder >= self.divisor);
        (estimate + short, remainder - short * self.divisor)
    }
}

fn signed(magnitude: u128, scale: u32, negative: bool) -> Option<Decimal> {
    let magnitude = i128::try_from(magnitude).ok()?;
    let mantissa = if negative { -magnitude } else { magnitude };
    Decimal::try_from_i128_with_scale(mantissa, scale).ok()
}

/// Trailing zeros removed as the library does after an inexact division: by `10^8` while the
/// low 32 bits are zero, then at most once each by `10^4`, `10^2` and `10`, each tried only when
/// the low bits allow it.
fn strip_zeros(mut mantissa: u128, mut scale: u32) -> (u128, u32) {
    if scale == 0 || !divisible(mantissa, 10, 6) {
        // Every check below needs a multiple of 10: most quotients leave at once.
        return (mantissa, scale);
    }
    while mantissa & 0xFFFF_FFFF == 0 && scale >= 8 && mantissa.is_multiple_of(100_000_000) {
        mantissa /= 100_000_000;
        scale -= 8;
    }
    // `(digits, low bits that must be zero, 10^digits, 2^64 mod 10^digits)`.
    for (digits, low_bits, power, wrap) in [
        (4, 0xF, 10_000u64, 1_616u64),
        (2, 0x3, 100, 16),
        (1, 0x1, 10, 6),
    ] {
        if mantissa & low_bits == 0 && scale >= digits && divisible(mantissa, power, wrap) {
            mantissa /= u128::from(power);
            scale -= digits;
        }
    }
    (mantissa, scale)
}

/// `mantissa % power == 0` without a 128-bit division: with `mantissa = high * 2^64 + low`,
/// the remainder is that of `(high % power) * (2^64 % power) + low % power`, all in `u64`
/// (each factor is below `power <= 10^4`, so the sum cannot overflow); `wrap` is
/// `2^64 % power`.
#[inline]
fn divisible(mantissa: u128, power: u64, wrap: u64) -> bool {
    let (high, low) = ((mantissa >> 64) as u64, mantissa as u64);
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
            (dec!(200), dec!(3)),
            (dec!(1), dec!(8)),
            (dec!(1.10), dec!(4)),
            (dec!(1.00), dec!(1)),
            (dec!(100), dec!(0.5)),
            (dec!(-2000), dec!(1800)),
            (dec!(0), dec!(-7)),
            (dec!(5), dec!(0)),
            (dec!(2220), dec!(25)),
            (dec!(2.2300), dec!(1505)),
            (dec!(0.0000000000000000000000000001), dec!(3)),
            (dec!(-0.0000000000000000000000000001), dec!(3)),
            (dec!(0.0000000000000000000000000002), dec!(4)),
            (dec!(0.0000000000000000000000000003), dec!(4)),
            (dec!(0.0000000000000000000000000005), dec!(2)),
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
            // a quotient whose rounding carries into a trailing zero
            (
                dec!(2999999999999999999999999999.9),
                dec!(1000000000000000000000000000),
            ),
        ] {
            same(a, b);
        }
    }

    #[test]
    fn matches_the_library_on_small_whole_numbers() {
        for a in -150..=150i64 {
            for b in -60..=60i64 {
                same(Decimal::from(a * 100), Decimal::from(b));
                same(Decimal::from(a), Decimal::from(b));
                same(Decimal::new(a, 2), Decimal::new(b, 1));
                same(Decimal::new(a * 100, 1), Decimal::new(b, 1));
            }
        }
    }

    #[test]
    fn the_usual_shapes_take_the_fast_path() {
        // late share, aging share by volume, a forecast deviation
        for (a, b) in [
            (dec!(3700), dec!(1234)),
            (dec!(2230.0), dec!(150.5)),
            (dec!(-45000), dec!(7321)),
        ] {
            let parts = |a: Decimal| {
                let m = u64::try_from(a.mantissa().unsigned_abs()).unwrap();
                fast_div(m, a.scale(), a.is_sign_negative(), b)
            };
            assert_eq!(parts(a), a.checked_div(b), "{a} / {b}");
            assert!(parts(a).is_some(), "{a} / {b}");
        }
    }

    fn decimal() -> impl Strategy<Value = Decimal> {
        // Mantissas of every length, so the fast path, its edges and the library's 32-, 64-
        // and 96-bit divisor paths are all reached, at every scale.
        (0u32..=96, any::<u128>(), 0u32..=28, any::<bool>()).prop_map(
            |(bits, raw, scale, negative)| {
                let mantissa = if bits == 0 { 0 } else { raw >> (128 - bits) };
                let mut d = Decimal::from_i128_with_scale(mantissa as i128, scale);
                d.set_sign_negative(negative);
                d
            },
        )
    }

    /// The operands the rules divide: counts, volumes and percentages of a few decimals.
    fn figure() -> impl Strategy<Value = Decimal> {
        (-10_000_000i64..=10_000_000, 0u32..=4).prop_map(|(m, s)| Decimal::new(m, s))
    }

    /// Operands at every size the fast path takes, up to its edges (2^64 and 2^32).
    fn fast_path_pair() -> impl Strategy<Value = (Decimal, Decimal)> {
        (
            (any::<u64>(), 0u32..64, 0u32..=28, any::<bool>()),
            (any::<u32>(), 0u32..32, 0u32..=28, any::<bool>()),
        )
            .prop_map(|((a, sa, ka, na), (b, sb, kb, nb))| {
                let mut x = Decimal::from_i128_with_scale(i128::from(a >> sa), ka);
                let mut y = Decimal::from_i128_with_scale(i128::from(b >> sb), kb.min(ka));
                x.set_sign_negative(na);
                y.set_sign_negative(nb);
                (x, y)
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]
        #[test]
        fn matches_the_library_everywhere(a in decimal(), b in decimal()) {
            same(a, b);
        }

        #[test]
        fn matches_the_library_at_the_fast_path_edges((a, b) in fast_path_pair()) {
            same(a, b);
        }

        #[test]
        fn percentages_match_the_library(a in figure(), b in figure()) {
            let ours = super::super::percent_of(a, b);
            let library = if b.is_zero() {
                None
            } else {
                a.checked_mul(Decimal::ONE_HUNDRED).and_then(|h| h.checked_div(b))
            };
            prop_assert_eq!(ours.map(|q| (q, q.to_string())), library.map(|q| (q, q.to_string())));
        }

        #[test]
        fn matches_the_library_on_figures(a in figure(), b in figure()) {
            same(a, b);
        }
    }
}
