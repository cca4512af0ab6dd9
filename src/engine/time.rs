//! Simulated time: integer microseconds, never floating point, so that event
//! order and every output are exact and portable.

use std::fmt;
use std::ops::{Add, Sub};

/// A point in (or span of) simulated time, in microseconds.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(pub u64);

impl SimTime {
    pub const ZERO: SimTime = SimTime(0);
    pub const MAX: SimTime = SimTime(u64::MAX);
    pub const MICROS_PER_SEC: u64 = 1_000_000;

    pub const fn from_micros(us: u64) -> Self {
        SimTime(us)
    }

    pub const fn from_secs(s: u64) -> Self {
        SimTime(s * Self::MICROS_PER_SEC)
    }

    pub const fn from_millis(ms: u64) -> Self {
        SimTime(ms * 1000)
    }

    /// Rounds to the nearest microsecond; negative and NaN become zero and
    /// overflow saturates, so a sampled duration can never wrap time around.
    pub fn from_secs_f64(s: f64) -> Self {
        Self::from_micros_f64(s * Self::MICROS_PER_SEC as f64)
    }

    /// The common case, `0 < us < 2^63`, takes two comparisons (a NaN
    /// fails both) and the rounding; the rest is decided after.
    #[inline]
    pub fn from_micros_f64(us: f64) -> Self {
        if us > 0.0 && us < TWO_POW_63 {
            SimTime(round_below_2_63(us))
        } else if us >= u64::MAX as f64 {
            SimTime(u64::MAX)
        } else if us > 0.0 {
            // In [2^63, 2^64): every f64 this large is an integer.
            SimTime(us as u64)
        } else {
            SimTime(0)
        }
    }

    pub const fn micros(self) -> u64 {
        self.0
    }

    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / Self::MICROS_PER_SEC as f64
    }

    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    pub const fn saturating_add(self, d: SimTime) -> SimTime {
        SimTime(self.0.saturating_add(d.0))
    }

    pub const fn saturating_sub(self, d: SimTime) -> SimTime {
        SimTime(self.0.saturating_sub(d.0))
    }
}

const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;

/// `x.round() as u64` for `0 ≤ x < 2^64`, without the libm call that
/// `f64::round` costs on baseline x86-64 (no SSE4.1 `roundsd`). Exact: below
/// 2^53 the truncation and the fraction are exact, above it every `f64` is an
/// integer; ties round up, as `round` does for positive values.
#[inline]
pub(crate) fn round_nonneg(x: f64) -> u64 {
    if x < TWO_POW_63 {
        round_below_2_63(x)
    } else {
        // Every f64 this large is an integer.
        x as u64
    }
}

/// `round_nonneg` for `0 ≤ x < 2^63`. It converts through `i64`: x86-64
/// converts between `f64` and `i64` in one instruction each, but `u64` takes
/// a dozen (no AVX-512); and without the checks of a saturating `as`, which
/// the compiler keeps even after the caller's range test.
#[inline]
fn round_below_2_63(x: f64) -> u64 {
    assert!((0.0..TWO_POW_63).contains(&x));
    // SAFETY: `x` is finite and in [0, 2^63), so its truncation fits an i64.
    let t: i64 = unsafe { x.to_int_unchecked() };
    (t + (x - t as f64 >= 0.5) as i64) as u64
}

impl Add for SimTime {
    type Output = SimTime;
    /// Saturating: a run ends long before `u64::MAX` µs (584,000 years), and
    /// "never" is represented by `SimTime::MAX`.
    fn add(self, d: SimTime) -> SimTime {
        self.saturating_add(d)
    }
}

impl Sub for SimTime {
    type Output = SimTime;
    fn sub(self, d: SimTime) -> SimTime {
        self.saturating_sub(d)
    }
}

impl fmt::Display for SimTime {
    /// Human form used in messages and `explain`: `1.250s`, `250ms`, `12us`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let us = self.0;
        if us.is_multiple_of(1_000_000) {
            write!(f, "{}s", us / 1_000_000)
        } else if us >= 1_000_000 {
            write!(f, "{:.6}s", self.as_secs_f64())
        } else if us.is_multiple_of(1000) {
            write!(f, "{}ms", us / 1000)
        } else {
            write!(f, "{}us", us)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_round_and_saturate() {
        assert_eq!(SimTime::from_secs_f64(1.5).micros(), 1_500_000);
        assert_eq!(SimTime::from_secs_f64(-3.0), SimTime::ZERO);
        assert_eq!(SimTime::from_secs_f64(f64::NAN), SimTime::ZERO);
        assert_eq!(SimTime::from_secs_f64(1e300), SimTime::MAX);
        assert_eq!(SimTime::MAX + SimTime(5), SimTime::MAX);
        assert_eq!(SimTime(3) - SimTime(5), SimTime::ZERO);
    }

    #[test]
    fn round_nonneg_is_round() {
        let mut rng = crate::engine::StreamSeed::new(2).stream(&[]);
        let edge = [
            0.0,
            0.5,
            1.5,
            2.5,
            0.49999999999999994,
            4503599627370495.5,
            9223372036854774784.0,
            9223372036854775808.0,
            4503599627370497.0,
            9007199254740993.0,
            1.8e19,
        ];
        let random = (0..100_000).map(|i| {
            let u = rand::Rng::next_u64(&mut rng) >> 11;
            (u as f64) / (1u64 << (i % 53)) as f64
        });
        for x in edge.into_iter().chain(random) {
            assert_eq!(round_nonneg(x), x.round() as u64, "{x}");
        }
    }

    /// The reordered tests of `from_micros_f64` give what the plain rule
    /// gives: 0 for NaN and non-positive values, saturation at the top,
    /// `round` in between.
    #[test]
    fn from_micros_f64_is_round_with_saturation() {
        let plain = |us: f64| {
            if us.is_nan() || us <= 0.0 {
                0
            } else {
                us.round() as u64
            }
        };
        let edge = [
            f64::NAN,
            f64::NEG_INFINITY,
            -1e300,
            -0.5,
            -0.0,
            0.0,
            f64::MIN_POSITIVE,
            0.5,
            2.5,
            9223372036854774784.0,
            TWO_POW_63,
            1.8e19,
            u64::MAX as f64,
            1e300,
            f64::INFINITY,
        ];
        let mut rng = crate::engine::StreamSeed::new(6).stream(&[]);
        let random = (0..100_000).map(|i| {
            let u = rand::Rng::next_u64(&mut rng) >> 11;
            (u as f64) * 2f64.powi(i % 80 - 50)
        });
        for us in edge.into_iter().chain(random) {
            assert_eq!(SimTime::from_micros_f64(us).micros(), plain(us), "{us}");
        }
    }

    #[test]
    fn display_is_readable() {
        assert_eq!(SimTime::from_secs(20).to_string(), "20s");
        assert_eq!(SimTime::from_millis(250).to_string(), "250ms");
        assert_eq!(SimTime(1_250_000).to_string(), "1.250000s");
        assert_eq!(SimTime(12).to_string(), "12us");
    }
}
