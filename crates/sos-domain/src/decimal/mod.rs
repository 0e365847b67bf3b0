//! Exact decimal helpers. Scores are never floats: every figure is a [`Decimal`].

mod quotient;

pub use quotient::{div, div_parts};

use rust_decimal::{Decimal, RoundingStrategy};
use std::cmp::Ordering;

// Integer fast paths. Scoring compares, sums and rounds figures of 0-2 decimals and a few
// 28-digit quotients all the time, and the library's general routines cost several times more
// than the same exact arithmetic on `i128` mantissas (a decimal is `mantissa / 10^scale`, the
// mantissa below 2^96). Each helper gives exactly the library's answer and falls back to the
// library when a figure leaves the fast path.

/// `10^n` for `n` in `0..=38`, the powers an `i128` holds.
const POW10: [i128; 39] = {
    let mut table = [1i128; 39];
    let mut i = 1;
    while i < 39 {
        table[i] = table[i - 1] * 10;
        i += 1;
    }
    table
};

/// Below this, `m * 10^9` (and any `m * 10^k` with `k <= 9`) cannot overflow an `i128`.
const SMALL_SCALING_BOUND: u128 = 1 << 97;

/// `m * 10^k`, skipping the overflow check (a library call for `i128`) when it cannot overflow.
fn scale_up(m: i128, k: u32) -> Option<i128> {
    let power = *POW10.get(k as usize)?;
    if k <= 9 && m.unsigned_abs() < SMALL_SCALING_BOUND {
        Some(m * power)
    } else {
        m.checked_mul(power)
    }
}

/// `a * b`, skipping the overflow check when both fit in 63 bits.
fn mul(a: i128, b: i128) -> Option<i128> {
    const HALF: u128 = 1 << 63;
    if a.unsigned_abs() < HALF && b.unsigned_abs() < HALF {
        Some(a * b)
    } else {
        a.checked_mul(b)
    }
}

/// `(quotient, remainder)` of `a / b` (truncating, `b != 0`) with a single division: a
/// hardware one when both fit in 64 bits (the usual case), else the `i128` routine.
fn div_rem(a: i128, b: i128) -> (i128, i128) {
    if b == 1 {
        return (a, 0);
    }
    let q = match (i64::try_from(a), i64::try_from(b)) {
        (Ok(x), Ok(y)) if y != -1 => i128::from(x / y),
        _ => a / b,
    };
    (q, a - q * b)
}

/// `num / den` (`den != 0`) rounded half away from zero: the one rounding the scoring rules
/// allow, on integers. `round2`, `div_round2` and the scorer's running total all round through
/// it.
#[inline]
pub(crate) fn div_half_away(num: i128, den: i128) -> i128 {
    let (quotient, remainder) = div_rem(num, den);
    // `|remainder| < |den| <= 2^127`, so twice it fits in `u128`.
    if remainder.unsigned_abs() * 2 >= den.unsigned_abs() {
        quotient + num.signum() * den.signum()
    } else {
        quotient
    }
}

/// Orders two decimals exactly as `Ord` does.
#[inline]
pub fn compare(a: Decimal, b: Decimal) -> Ordering {
    let (sa, sb) = (a.scale(), b.scale());
    // A mantissa is below 2^96, so raising it by up to 9 decimal places cannot overflow.
    if sa == sb {
        a.mantissa().cmp(&b.mantissa())
    } else if sa < sb && sb - sa <= 9 {
        (a.mantissa() * POW10[(sb - sa) as usize]).cmp(&b.mantissa())
    } else if sb < sa && sa - sb <= 9 {
        a.mantissa()
            .cmp(&(b.mantissa() * POW10[(sa - sb) as usize]))
    } else {
        compare_rescaled(a, b)
    }
}

/// [`compare`] for different scales: the lower-scale mantissa is brought up to the other's.
fn compare_rescaled(a: Decimal, b: Decimal) -> Ordering {
    let (sa, sb) = (a.scale(), b.scale());
    let aligned = if sa < sb {
        scale_up(a.mantissa(), sb - sa).map(|x| x.cmp(&b.mantissa()))
    } else {
        scale_up(b.mantissa(), sa - sb).map(|y| a.mantissa().cmp(&y))
    };
    aligned.unwrap_or_else(|| a.cmp(&b))
}

/// The larger of `a` and `b`, as `Ord::max` picks it.
pub fn max(a: Decimal, b: Decimal) -> Decimal {
    if compare(a, b).is_gt() {
        a
    } else {
        b
    }
}

/// `(sum of weights, sum of weight * value)` over `pairs`, exact. Saturates like the library's
/// saturating operations in the rare case the sums leave the fast path.
pub fn weighted_sums(pairs: &[(Decimal, Decimal)]) -> (Decimal, Decimal) {
    same_scale_sums(pairs)
        .or_else(|| mixed_scale_sums(pairs))
        .unwrap_or_else(|| {
            pairs
                .iter()
                .fold((Decimal::ZERO, Decimal::ZERO), |(ws, ps), (w, v)| {
                    (
                        ws.saturating_add(*w),
                        ps.saturating_add(w.saturating_mul(*v)),
                    )
                })
        })
}

/// `sum(count * points)` over `pairs`, exactly what [`weighted_sums`] gives for the pairs
/// `(Decimal::from(count), points)`. When every points figure has one scale (as a config's band
/// points do) the sum comes straight from the counts: the decimal pairs are never built, and
/// reading back decimals just written costs more than the arithmetic.
#[inline]
pub fn counted_points<const N: usize>(pairs: [(u32, Decimal); N]) -> Decimal {
    let general = || weighted_sums(&pairs.map(|(c, p)| (Decimal::from(c), p))).1;
    let scale = pairs.first().map_or(0, |(_, p)| p.scale());
    let mut sum = 0i128;
    for (count, points) in pairs {
        if points.scale() != scale {
            return general();
        }
        match mul(i128::from(count), points.mantissa()).and_then(|t| sum.checked_add(t)) {
            Some(total) => sum = total,
            None => return general(),
        }
    }
    Decimal::try_from_i128_with_scale(sum, scale).unwrap_or_else(|_| general())
}

/// [`weighted_sums`] when every weight has one scale and every value another (counts and
/// points, weights and normalized scores): plain integer sums, no rescaling.
fn same_scale_sums(pairs: &[(Decimal, Decimal)]) -> Option<(Decimal, Decimal)> {
    let (first_w, first_v) = pairs.first()?;
    let (ws, vs) = (first_w.scale(), first_v.scale());
    let mut weights = 0i128;
    let mut weighted = 0i128;
    for (w, v) in pairs {
        if w.scale() != ws || v.scale() != vs {
            return None;
        }
        weights = weights.checked_add(w.mantissa())?;
        weighted = weighted.checked_add(mul(w.mantissa(), v.mantissa())?)?;
    }
    Some((
        Decimal::try_from_i128_with_scale(weights, ws).ok()?,
        Decimal::try_from_i128_with_scale(weighted, ws + vs).ok()?,
    ))
}

/// [`weighted_sums`] for figures of mixed scales, rescaling the running sums as needed.
fn mixed_scale_sums(pairs: &[(Decimal, Decimal)]) -> Option<(Decimal, Decimal)> {
    fn add((sum, sum_scale): (i128, u32), (term, term_scale): (i128, u32)) -> Option<(i128, u32)> {
        if term_scale >= sum_scale {
            Some((
                scale_up(sum, term_scale - sum_scale)?.checked_add(term)?,
                term_scale,
            ))
        } else {
            Some((
                sum.checked_add(scale_up(term, sum_scale - term_scale)?)?,
                sum_scale,
            ))
        }
    }
    let ((wm, ws), (pm, ps)) = pairs.iter().try_fold(
        ((0i128, 0u32), (0i128, 0u32)),
        |(weights, weighted), (w, v)| {
            let product = (mul(w.mantissa(), v.mantissa())?, w.scale() + v.scale());
            Some((
                add(weights, (w.mantissa(), w.scale()))?,
                add(weighted, product)?,
            ))
        },
    )?;
    Some((
        Decimal::try_from_i128_with_scale(wm, ws).ok()?,
        Decimal::try_from_i128_with_scale(pm, ps).ok()?,
    ))
}

/// `value * 100` as an integer, when `value` has at most two decimals: points, weights and
/// scores compared or summed in whole hundredths.
pub fn hundredths(value: Decimal) -> Option<i128> {
    match value.scale() {
        0 => Some(value.mantissa() * 100),
        1 => Some(value.mantissa() * 10),
        2 => Some(value.mantissa()),
        _ => None,
    }
}

/// `value` as an integer, when it is a whole number (no decimals) below 2^40 in size: the
/// rule figures the scoring paths take on integers, small enough that their products with
/// counts and days stay exact in `i64`/`i128`.
pub fn whole(value: Decimal) -> Option<i64> {
    if value.scale() != 0 {
        return None;
    }
    i64::try_from(value.mantissa())
        .ok()
        .filter(|v| v.unsigned_abs() < 1 << 40)
}

/// `value` written with exactly two decimals (`85` -> `85.00`), as `rescale(2)` does, so stored
/// scores always read the same way.
pub fn with_two_places(value: Decimal) -> Decimal {
    match value.scale() {
        2 => value,
        0 | 1 => scale_up(value.mantissa(), 2 - value.scale())
            .and_then(|m| Decimal::try_from_i128_with_scale(m, 2).ok())
            .unwrap_or_else(|| rescaled(value)),
        _ => rescaled(value),
    }
}

fn rescaled(mut value: Decimal) -> Decimal {
    value.rescale(2);
    value
}

/// Rounds to 2 decimal places, half away from zero (`2.345 -> 2.35`, `-2.345 -> -2.35`),
/// the one rounding the scoring rules allow. Same result as
/// `round_dp_with_strategy(2, MidpointAwayFromZero)`.
pub fn round2(value: Decimal) -> Decimal {
    let scale = value.scale();
    if scale <= 2 {
        return value;
    }
    let rounded = div_half_away(value.mantissa(), POW10[(scale - 2) as usize]);
    Decimal::try_from_i128_with_scale(rounded, 2)
        .unwrap_or_else(|_| value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero))
}

/// The largest whole number `<= value`, as [`Decimal::floor`] gives it.
pub fn floor(value: Decimal) -> Decimal {
    floor_div(value, 1)
}

/// `floor(value / divisor)` exactly, for the scoring rules' "whole bands of N points", without
/// building the 28-digit quotient first.
pub fn floor_div(value: Decimal, divisor: u32) -> Decimal {
    // At most 10^28 * (2^32 - 1) < 2^127: no overflow.
    let whole = POW10[value.scale() as usize] * i128::from(divisor.max(1));
    let (quotient, remainder) = div_rem(value.mantissa(), whole);
    let floored = if remainder < 0 {
        quotient - 1
    } else {
        quotient
    };
    Decimal::try_from_i128_with_scale(floored, 0)
        .unwrap_or_else(|_| (value / Decimal::from(divisor.max(1))).floor())
}

/// The smallest whole number `>= value`, saturating at the `i64` range: for band bounds, which
/// a whole number `h` passes exactly when it passes their ceiling (`min <= h` is
/// `ceil(min) <= h`, `h < max` is `h < ceil(max)`).
pub fn ceil_whole(value: Decimal) -> i64 {
    let whole = POW10[value.scale() as usize];
    let (quotient, remainder) = div_rem(value.mantissa(), whole);
    let ceiled = if remainder > 0 {
        quotient + 1
    } else {
        quotient
    };
    i64::try_from(ceiled).unwrap_or(if ceiled < 0 { i64::MIN } else { i64::MAX })
}

/// `round2(numerator / denominator)` computed exactly, without building the 28-digit quotient
/// first. `None` when the denominator is zero, or when the quotient overflows a decimal.
///
/// Always inlined, with the common case inlined too: returned from a call, the answer comes
/// back through memory in pieces and stalls the caller that reads it whole.
#[inline(always)]
pub fn div_round2(numerator: Decimal, denominator: Decimal) -> Option<Decimal> {
    if denominator.is_zero() {
        return None;
    }
    match div_round2_small(numerator, denominator) {
        Some(quotient) => Some(quotient),
        None => div_round2_large(numerator, denominator),
    }
}

/// [`div_round2`] beyond the `u64` path: rare in scoring, so kept out of the callers' code.
#[cold]
#[inline(never)]
fn div_round2_large(numerator: Decimal, denominator: Decimal) -> Option<Decimal> {
    div_round2_exact(numerator, denominator)
        .or_else(|| numerator.checked_div(denominator).map(round2))
}

/// [`div_round2`] for the means the rules take (point sums over counts), where one hardware
/// division answers: both figures non-negative, and both scaled figures of
/// [`div_round2_exact`] (`n_m * 10^(d_s + 2)` and `d_m * 10^n_s`, for `d_s <= 5`, `n_s <= 7`)
/// within `u64`. `None` otherwise.
#[inline(always)]
fn div_round2_small(numerator: Decimal, denominator: Decimal) -> Option<Decimal> {
    const POW10_U64: [u64; 8] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000];
    let n = u64::try_from(numerator.mantissa()).ok()?;
    let d = u64::try_from(denominator.mantissa()).ok()?;
    let num = n.checked_mul(*POW10_U64.get(denominator.scale() as usize + 2)?)?;
    let den = d.checked_mul(*POW10_U64.get(numerator.scale() as usize)?)?;
    if den == 0 {
        return None;
    }
    let (quotient, remainder) = (num / den, num % den);
    // Half away from zero, which for non-negative figures is up: `2 * remainder >= den`,
    // written so it cannot overflow (`remainder < den`).
    let rounded = quotient + u64::from(remainder >= den - remainder);
    Decimal::try_from_i128_with_scale(i128::from(rounded), 2).ok()
}

/// [`div_round2`] on `i128`: `n / d * 100 = n_m * 10^(d_s + 2) / (d_m * 10^n_s)`, rounded half
/// away from zero. `None` for a zero denominator, when the scaled figures overflow `i128`, or
/// when the quotient needs more than 96 bits (the library then answers).
fn div_round2_exact(numerator: Decimal, denominator: Decimal) -> Option<Decimal> {
    scale_up(numerator.mantissa(), denominator.scale() + 2)
        .zip(scale_up(denominator.mantissa(), numerator.scale()))
        .and_then(|(num, den)| {
            // Guarded here as well so the function stands on its own (its tests call it
            // directly).
            if den == 0 {
                return None;
            }
            Decimal::try_from_i128_with_scale(div_half_away(num, den), 2).ok()
        })
}

/// `value` limited to `[lo, hi]`. When `hi < lo` (a config that allows no points at all), `lo`.
pub fn clamp(value: Decimal, lo: Decimal, hi: Decimal) -> Decimal {
    if compare(value, lo).is_lt() || compare(hi, lo).is_lt() {
        lo
    } else if compare(value, hi).is_gt() {
        hi
    } else {
        value
    }
}

/// `part / whole * 100`, or `None` when `whole` is zero.
///
/// Always inlined, like the division under it: the quotient returned from a call comes back
/// through memory in pieces, and the caller that reads it whole stalls (change 33 in
/// `docs/performance.md`).
#[inline(always)]
pub fn percent_of(part: Decimal, whole: Decimal) -> Option<Decimal> {
    if whole.is_zero() {
        None
    } else if let Some(hundredfold) = u64::try_from(part.mantissa())
        .ok()
        .and_then(|m| m.checked_mul(100))
    {
        // A non-negative part times 100 as an integer: no decimal product to build and read
        // back (a zero part gives 0, as the library's product of zero does).
        div_parts(hundredfold, part.scale(), false, whole)
    } else {
        percent_of_large(part, whole)
    }
}

/// [`percent_of`] for a negative part or one too large for `u64`: rare in scoring, so kept out
/// of the callers' code.
#[cold]
#[inline(never)]
fn percent_of_large(part: Decimal, whole: Decimal) -> Option<Decimal> {
    // Multiplying first keeps the product exact and makes one division do the work; dividing
    // first leaves a 28-digit quotient whose `* 100` must be rounded again.
    match part.checked_mul(Decimal::ONE_HUNDRED) {
        Some(hundredfold) => div(hundredfold, whole),
        None => div(part, whole).and_then(|q| q.checked_mul(Decimal::ONE_HUNDRED)),
    }
}

/// `floor(part * 100 / whole)` for a non-negative `part` and a positive `whole`, from their
/// mantissas: `None` when `whole` is zero or the figures are too large for this shortcut.
///
/// It is also the floor of [`percent_of`]'s 28-digit quotient: unless the share is a whole
/// number, the exact fraction lies at least `1 / denominator` (here above 10^-18) from any
/// whole number, and a share below 10^4 is rounded to 24 decimals or more, so rounding never
/// carries it across one.
pub fn floor_percent(part: Decimal, whole: Decimal) -> Option<i64> {
    const DENOMINATOR_LIMIT: u128 = 1_000_000_000_000_000_000;
    if part.is_sign_negative() || whole.is_sign_negative() {
        return None;
    }
    // part * 100 / whole = (p * 100 * 10^ws) / (w * 10^ps)
    let numerator = u128::try_from(part.mantissa())
        .ok()?
        .checked_mul(100)?
        .checked_mul(u128::try_from(*POW10.get(whole.scale() as usize)?).ok()?)?;
    let denominator = u128::try_from(whole.mantissa())
        .ok()?
        .checked_mul(u128::try_from(*POW10.get(part.scale() as usize)?).ok()?)?;
    if denominator == 0 || denominator >= DENOMINATOR_LIMIT {
        return None;
    }
    // A native 64-bit division when both fit, as they do for real snapshots.
    let share = match (u64::try_from(numerator), u64::try_from(denominator)) {
        (Ok(n), Ok(d)) => u128::from(n / d),
        _ => numerator / denominator,
    };
    if share >= 10_000 {
        return None;
    }
    i64::try_from(share).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    #[test]
    fn rounds_half_away_from_zero_at_the_third_place() {
        assert_eq!(round2(dec!(2.345)), dec!(2.35));
        assert_eq!(round2(dec!(2.344999)), dec!(2.34));
        assert_eq!(round2(dec!(-2.345)), dec!(-2.35));
        assert_eq!(round2(dec!(88.8)), dec!(88.80));
    }

    #[test]
    fn decimals_travel_as_exact_json_numbers() {
        let v: Decimal = serde_json::from_str("22.3").unwrap();
        assert_eq!(v, dec!(22.3));
        assert_eq!(serde_json::to_string(&dec!(150.50)).unwrap(), "150.50");
        let big: Decimal = serde_json::from_str("15000000.01").unwrap();
        assert_eq!(big, dec!(15000000.01));
    }

    #[test]
    fn fast_round2_and_floor_match_the_library() {
        let mut samples: Vec<Decimal> = [
            "-0.001",
            "-0.005",
            "0.005",
            "-2.345",
            "4.0",
            "-1.5",
            "7.999",
            "1.20",
            "5",
            "99.125",
            "-99.125",
            "0.0049999999999999999999999999",
            "79228162514264337593543950335",
            "-7.9228162514264337593543950335",
        ]
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
        for n in 1..200i64 {
            samples.push(Decimal::from(n * 7919) / Decimal::from(n * 3 + 1));
            samples.push(-Decimal::from(n * 31) / Decimal::from(n + 7));
            samples.push(Decimal::new(n * 125, 3 + (n % 5) as u32));
        }
        for v in samples {
            let slow = v.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
            assert_eq!(
                (round2(v), round2(v).to_string()),
                (slow, slow.to_string()),
                "{v}"
            );
            assert_eq!(
                (floor(v), floor(v).to_string()),
                (v.floor(), v.floor().to_string()),
                "{v}"
            );
            assert_eq!(floor_div(v, 5), (v / dec!(5)).floor(), "{v}");
        }
    }

    #[test]
    fn compare_and_weighted_sums_match_the_library() {
        let values = [
            dec!(0),
            dec!(-0.00),
            dec!(1),
            dec!(1.00),
            dec!(-1.5),
            dec!(88.8),
            dec!(88.80),
            dec!(88.81),
            dec!(3.3333333333333333333333333333),
            Decimal::MAX,
            Decimal::MIN,
            dec!(0.0000000000000000000000000001),
        ];
        for a in values {
            for b in values {
                assert_eq!(compare(a, b), a.cmp(&b), "{a} vs {b}");
            }
        }
        let (w, p) = weighted_sums(&[
            (dec!(18), dec!(100)),
            (dec!(4), dec!(80)),
            (dec!(2), dec!(50)),
            (dec!(1), dec!(0)),
        ]);
        assert_eq!((w, p), (dec!(25), dec!(2220)));
        let (w, p) = weighted_sums(&[
            (dec!(20), dec!(85.00)),
            (dec!(0.5), dec!(1.25)),
            (dec!(0), dec!(7)),
        ]);
        assert_eq!((w, p), (dec!(20.5), dec!(1700.625)));
        // beyond the fast path the library's saturating arithmetic answers
        let (w, p) = weighted_sums(&[
            (Decimal::MAX, dec!(2)),
            (dec!(1), dec!(0.0000000000000000000000000001)),
        ]);
        assert_eq!((w, p), (Decimal::MAX, Decimal::MAX));
        assert_eq!(weighted_sums(&[]), (dec!(0), dec!(0)));
    }

    #[test]
    fn counted_points_match_weighted_sums() {
        let cases: [[(u32, Decimal); 4]; 5] = [
            [(15, dec!(100)), (6, dec!(80)), (4, dec!(50)), (0, dec!(0))],
            [
                (1, dec!(99.5)),
                (2, dec!(80.25)),
                (3, dec!(0.75)),
                (4, dec!(10.10)),
            ],
            // mixed scales take the general path
            [
                (1, dec!(99.5)),
                (2, dec!(80)),
                (3, dec!(0.75)),
                (0, dec!(1)),
            ],
            [(0, dec!(100)), (0, dec!(80)), (0, dec!(50)), (0, dec!(0))],
            // beyond 96 bits the library's saturation answers
            [
                (u32::MAX, Decimal::MAX),
                (u32::MAX, Decimal::MAX),
                (1, dec!(1)),
                (1, dec!(1)),
            ],
        ];
        for pairs in cases {
            let slow = weighted_sums(&pairs.map(|(c, p)| (Decimal::from(c), p))).1;
            let fast = counted_points(pairs);
            assert_eq!(
                (fast, fast.to_string()),
                (slow, slow.to_string()),
                "{pairs:?}"
            );
        }
    }

    #[test]
    fn floor_percent_floors_the_library_share() {
        for (part, whole) in [
            (dec!(22.3), dec!(150.5)),
            (dec!(3), dec!(100)),
            (dec!(0), dec!(7)),
            (dec!(150.5), dec!(150.5)),
            (dec!(1), dec!(3)),
            (dec!(2), dec!(3)),
            (dec!(0.01), dec!(0.0300)),
            (dec!(9999), dec!(10000)),
        ] {
            let share = percent_of(part, whole).unwrap();
            assert_eq!(
                floor_percent(part, whole).map(Decimal::from),
                Some(floor(share)),
                "{part} / {whole}"
            );
        }
        assert_eq!(floor_percent(dec!(1), dec!(0)), None);
        assert_eq!(floor_percent(dec!(-1), dec!(3)), None);
        assert_eq!(floor_percent(dec!(1000), dec!(1)), None);
    }

    #[test]
    fn ceil_whole_rounds_up() {
        assert_eq!(ceil_whole(dec!(4)), 4);
        assert_eq!(ceil_whole(dec!(4.00)), 4);
        assert_eq!(ceil_whole(dec!(3.01)), 4);
        assert_eq!(ceil_whole(dec!(-3.5)), -3);
        assert_eq!(ceil_whole(dec!(0)), 0);
        assert_eq!(ceil_whole(Decimal::MAX), i64::MAX);
    }

    #[test]
    fn with_two_places_matches_rescale() {
        for v in [
            dec!(85),
            dec!(8.8),
            dec!(88.80),
            dec!(-1),
            dec!(0),
            dec!(99.125),
            dec!(1.005),
            Decimal::MAX,
        ] {
            let mut expected = v;
            expected.rescale(2);
            assert_eq!(
                (with_two_places(v), with_two_places(v).to_string()),
                (expected, expected.to_string()),
                "{v}"
            );
        }
        assert_eq!(max(dec!(1.5), dec!(2)), dec!(2));
        assert_eq!(max(dec!(0), dec!(-3)), dec!(0));
    }

    #[test]
    fn div_round2_matches_dividing_then_rounding() {
        for (n, d) in [
            (dec!(7930), dec!(80)),
            (dec!(-7930), dec!(80)),
            (dec!(7930), dec!(-80)),
            (dec!(2220), dec!(25)),
            (dec!(290), dec!(3)),
            (dec!(3682.6), dec!(40)),
            (dec!(0.005), dec!(1)),
            (dec!(-0.005), dec!(1)),
            (dec!(1), dec!(3.3333333333333333333333333333)),
            (Decimal::MAX, dec!(0.5)),
            (Decimal::MAX, dec!(7)),
        ] {
            let slow = n
                .checked_div(d)
                .map(|q| q.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero));
            assert_eq!(div_round2(n, d), slow, "{n} / {d}");
        }
        assert_eq!(div_round2(dec!(7930), dec!(80)), Some(dec!(99.13)));
        assert_eq!(div_round2(dec!(1), dec!(0)), None);
        // Exactly half a hundredth rounds up on the `u64` path too.
        assert_eq!(div_round2_small(dec!(1), dec!(200)), Some(dec!(0.01)));
        assert_eq!(div_round2_small(dec!(1), dec!(201)), Some(dec!(0.00)));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(50_000))]

        /// The `u64` path gives the `i128` path's answer, digits and scale included, wherever it
        /// answers, and declines only where it must: a negative figure, a scale past its table,
        /// or a scaled figure past `u64`. Magnitudes spread over the whole `u64` range, so the
        /// overflow checks and the rounding near `u64::MAX` are both reached.
        #[test]
        fn small_means_match_the_exact_path(
            n in any::<u64>(),
            n_shift in 0u32..64,
            n_scale in 0u32..=12,
            n_negative in any::<bool>(),
            d in any::<u64>(),
            d_shift in 0u32..64,
            d_scale in 0u32..=12,
            d_negative in any::<bool>(),
        ) {
            let (n, d) = (n >> n_shift, d >> d_shift);
            let signed = |m: u64, negative: bool| if negative { -i128::from(m) } else { i128::from(m) };
            let mut numerator = Decimal::from_i128_with_scale(signed(n, n_negative), n_scale);
            if n == 0 && n_negative {
                numerator.set_sign_negative(true);
            }
            let denominator = Decimal::from_i128_with_scale(signed(d, d_negative), d_scale);
            if let Some(fast) = div_round2_small(numerator, denominator) {
                let exact = div_round2_exact(numerator, denominator);
                prop_assert_eq!(Some(fast.to_string()), exact.map(|e| e.to_string()));
                prop_assert_eq!(Some(fast), exact);
            } else {
                let scaled = |m: u64, scale: u32| {
                    10u128.checked_pow(scale).and_then(|p| u128::from(m).checked_mul(p))
                };
                let fits = |v: Option<u128>| v.is_some_and(|v| v <= u128::from(u64::MAX));
                let must_decline = (n_negative && n != 0)
                    || d_negative
                    || d == 0
                    || n_scale > 7
                    || d_scale > 5
                    || !fits(scaled(n, d_scale + 2))
                    || !fits(scaled(d, n_scale));
                prop_assert!(must_decline, "{} / {}", numerator, denominator);
            }
        }
    }

    #[test]
    fn an_exact_half_near_the_top_of_u64_rounds_up() {
        // 184467440737095515 * 100 = 18446744073709551500, just under u64::MAX; divided by 200
        // it leaves exactly half: 92233720368547757.5 hundredths -> ...758.
        let n = Decimal::from(184_467_440_737_095_515u64);
        let d = Decimal::from(200);
        assert_eq!(
            div_round2_small(n, d),
            Some(Decimal::from_i128_with_scale(92_233_720_368_547_758, 2))
        );
        assert_eq!(div_round2_small(n, d), div_round2_exact(n, d));
    }

    #[test]
    fn clamp_and_percent_of() {
        assert_eq!(clamp(dec!(-5), dec!(0), dec!(100)), dec!(0));
        assert_eq!(clamp(dec!(105), dec!(0), dec!(100)), dec!(100));
        assert_eq!(percent_of(dec!(1), dec!(0)), None);
        assert_eq!(
            percent_of(dec!(10), dec!(150)).map(round2),
            Some(dec!(6.67))
        );
        assert_eq!(
            percent_of(dec!(22.3), dec!(150.5)).map(round2),
            Some(dec!(14.82))
        );
        assert!(percent_of(Decimal::MAX, dec!(200)).is_some());
    }
}
