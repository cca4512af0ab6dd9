//! Distributions of durations and sizes. Values are `f64` in the base unit of
//! what they describe (microseconds for durations, bytes for sizes) and are
//! rounded when sampled, so time stays integer.

use crate::engine::{SimTime, Stream};
use rand_distr::{Distribution, Exp, LogNormal, Normal, Pareto, Uniform};

/// A validated distribution: constructing one checks its parameters, so
/// sampling never fails.
#[derive(Clone, Debug)]
pub enum Dist {
    Constant(f64),
    Exponential {
        mean: f64,
        exp: Exp<f64>,
    },
    Uniform {
        min: f64,
        max: f64,
        uni: Option<Uniform<f64>>,
    },
    /// Truncated at 0 (resampled until non-negative, falling back to 0).
    Normal {
        mean: f64,
        sd: f64,
        normal: Normal<f64>,
    },
    /// Parameterised by the real mean and sd of the values.
    LogNormal {
        mean: f64,
        sd: f64,
        ln: Option<LogNormal<f64>>,
    },
    Pareto {
        scale: f64,
        shape: f64,
        pareto: Pareto<f64>,
    },
}

impl Dist {
    pub fn constant(v: f64) -> Result<Dist, String> {
        check_finite_nonneg("value", v)?;
        Ok(Dist::Constant(v))
    }

    pub fn exponential(mean: f64) -> Result<Dist, String> {
        check_finite_nonneg("mean", mean)?;
        if mean == 0.0 {
            return Ok(Dist::Constant(0.0));
        }
        let exp = Exp::new(1.0 / mean).map_err(|e| format!("mean: {e}"))?;
        Ok(Dist::Exponential { mean, exp })
    }

    pub fn uniform(min: f64, max: f64) -> Result<Dist, String> {
        check_finite_nonneg("min", min)?;
        check_finite_nonneg("max", max)?;
        if min > max {
            return Err(format!("min ({min}) must not exceed max ({max})"));
        }
        let uni = if min < max {
            Some(Uniform::new_inclusive(min, max).map_err(|e| format!("{e}"))?)
        } else {
            None
        };
        Ok(Dist::Uniform { min, max, uni })
    }

    pub fn normal(mean: f64, sd: f64) -> Result<Dist, String> {
        check_finite_nonneg("mean", mean)?;
        check_finite_nonneg("sd", sd)?;
        let normal = Normal::new(mean, sd).map_err(|e| format!("{e}"))?;
        Ok(Dist::Normal { mean, sd, normal })
    }

    pub fn lognormal(mean: f64, sd: f64) -> Result<Dist, String> {
        check_finite_nonneg("mean", mean)?;
        check_finite_nonneg("sd", sd)?;
        if mean == 0.0 && sd > 0.0 {
            return Err("mean must be > 0 when sd > 0 (a lognormal is positive)".into());
        }
        let ln = if sd == 0.0 || mean == 0.0 {
            None
        } else {
            Some(LogNormal::from_mean_cv(mean, sd / mean).map_err(|e| format!("{e}"))?)
        };
        Ok(Dist::LogNormal { mean, sd, ln })
    }

    pub fn pareto(scale: f64, shape: f64) -> Result<Dist, String> {
        check_finite_nonneg("scale", scale)?;
        if scale <= 0.0 {
            return Err("scale must be > 0".into());
        }
        if !(shape.is_finite() && shape > 0.0) {
            return Err(format!("shape must be > 0, found {shape}"));
        }
        let pareto = Pareto::new(scale, shape).map_err(|e| format!("{e}"))?;
        Ok(Dist::Pareto {
            scale,
            shape,
            pareto,
        })
    }

    /// Draws one value (≥ 0, finite or +∞ for a heavy Pareto tail).
    #[inline]
    pub(crate) fn sample(&self, rng: &mut Stream) -> f64 {
        match self {
            Dist::Constant(v) => *v,
            Dist::Exponential { exp, .. } => exp.sample(rng),
            Dist::Uniform { min, uni, .. } => match uni {
                Some(u) => u.sample(rng),
                None => *min,
            },
            Dist::Normal { normal, .. } => {
                // Truncation by rejection keeps the shape of the upper part;
                // after a few misses (mean far below 0 is refused anyway) we
                // give up and return 0 rather than loop.
                for _ in 0..16 {
                    let x = normal.sample(rng);
                    if x >= 0.0 {
                        return x;
                    }
                }
                0.0
            }
            Dist::LogNormal { mean, ln, .. } => match ln {
                Some(d) => d.sample(rng),
                None => *mean,
            },
            Dist::Pareto { pareto, .. } => pareto.sample(rng),
        }
    }

    /// Samples a duration.
    ///
    /// Always inlined: the common processing time (an exponential) is then
    /// drawn in the caller, whose registers already hold what the draw
    /// needs; out of line, the draw's loop saved and restored six registers
    /// and spilled the generator's state on every call. The other kinds go
    /// through `sample_time_other` (the same draws).
    #[inline(always)]
    pub(crate) fn sample_time(&self, rng: &mut Stream) -> SimTime {
        match self {
            Dist::Constant(v) => SimTime::from_micros_f64(*v),
            Dist::Exponential { exp, .. } => SimTime::from_micros_f64(exp.sample(rng)),
            _ => self.sample_time_other(rng),
        }
    }

    #[inline(never)]
    fn sample_time_other(&self, rng: &mut Stream) -> SimTime {
        SimTime::from_micros_f64(self.sample(rng))
    }

    /// The mean of the distribution (before truncation/rounding).
    pub fn mean(&self) -> f64 {
        match self {
            Dist::Constant(v) => *v,
            Dist::Exponential { mean, .. } => *mean,
            Dist::Uniform { min, max, .. } => (min + max) / 2.0,
            Dist::Normal { mean, .. } => *mean,
            Dist::LogNormal { mean, .. } => *mean,
            Dist::Pareto { scale, shape, .. } => {
                if *shape > 1.0 {
                    shape * scale / (shape - 1.0)
                } else {
                    f64::INFINITY
                }
            }
        }
    }

    /// The largest value the distribution can produce (∞ if unbounded).
    pub fn max(&self) -> f64 {
        match self {
            Dist::Constant(v) => *v,
            Dist::Uniform { max, .. } => *max,
            Dist::Normal { sd, mean, .. } if *sd == 0.0 => *mean,
            Dist::LogNormal { sd, mean, .. } if *sd == 0.0 => *mean,
            _ => f64::INFINITY,
        }
    }

    /// True when every draw is 0: time cannot move through this distribution.
    pub(crate) fn is_always_zero(&self) -> bool {
        self.max() == 0.0
    }

    /// The parameters, for printing a resolved scenario: `(kind, [(name, value)])`.
    pub fn describe(&self) -> (&'static str, Vec<(&'static str, f64)>) {
        match self {
            Dist::Constant(v) => ("constant", vec![("value", *v)]),
            Dist::Exponential { mean, .. } => ("exponential", vec![("mean", *mean)]),
            Dist::Uniform { min, max, .. } => ("uniform", vec![("min", *min), ("max", *max)]),
            Dist::Normal { mean, sd, .. } => ("normal", vec![("mean", *mean), ("sd", *sd)]),
            Dist::LogNormal { mean, sd, .. } => ("lognormal", vec![("mean", *mean), ("sd", *sd)]),
            Dist::Pareto { scale, shape, .. } => {
                ("pareto", vec![("scale", *scale), ("shape", *shape)])
            }
        }
    }
}

/// A duration distribution ready to sample many times: a constant is
/// converted to `SimTime` once, not at every draw (the network delay is drawn
/// about five times per message).
#[derive(Copy, Clone, Debug)]
pub(crate) struct Delay<'a> {
    dist: &'a Dist,
    /// The constant delay, or `SimTime::MAX` when the delay is drawn: one
    /// comparison per hop rather than an `Option`'s tag and value. A
    /// constant that is itself `MAX` (≥ 2^64 µs) is drawn, which gives `MAX`.
    fixed: SimTime,
}

impl<'a> Delay<'a> {
    pub(crate) fn new(dist: &'a Dist) -> Delay<'a> {
        let fixed = match dist {
            Dist::Constant(v) => SimTime::from_micros_f64(*v),
            _ => SimTime::MAX,
        };
        Delay { dist, fixed }
    }

    /// Whether every delay is the same (and draws nothing).
    pub(crate) fn is_constant(&self) -> bool {
        self.fixed != SimTime::MAX
    }

    /// Same value, and same draws from `rng`, as `Dist::sample_time`.
    #[inline]
    pub(crate) fn sample(&self, rng: &mut Stream) -> SimTime {
        if self.fixed != SimTime::MAX {
            self.fixed
        } else {
            self.drawn(rng)
        }
    }

    /// Out of line: a drawn delay is rarer, and inlined at every hop it
    /// would copy the exponential draw into each.
    #[inline(never)]
    fn drawn(&self, rng: &mut Stream) -> SimTime {
        self.dist.sample_time(rng)
    }
}

fn check_finite_nonneg(name: &str, v: f64) -> Result<(), String> {
    if !v.is_finite() || v < 0.0 {
        return Err(format!("{name} must be a finite number ≥ 0, found {v}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::StreamSeed;

    fn mean_of(d: &Dist, n: usize) -> f64 {
        let mut rng = StreamSeed::new(7).stream(&[1]);
        (0..n).map(|_| d.sample(&mut rng)).sum::<f64>() / n as f64
    }

    #[test]
    fn sample_means_match() {
        let n = 200_000;
        for (d, sd) in [
            (Dist::exponential(40.0).unwrap(), 40.0),
            (Dist::uniform(10.0, 30.0).unwrap(), 20.0 / 12f64.sqrt()),
            (Dist::lognormal(50.0, 20.0).unwrap(), 20.0),
            (Dist::normal(100.0, 10.0).unwrap(), 10.0),
        ] {
            let m = mean_of(&d, n);
            let se = sd / (n as f64).sqrt();
            assert!(
                (m - d.mean()).abs() < 4.0 * se,
                "{d:?}: {m} vs {}",
                d.mean()
            );
        }
    }

    #[test]
    fn bad_parameters_are_refused() {
        assert!(Dist::uniform(5.0, 1.0).is_err());
        assert!(Dist::normal(1.0, -1.0).is_err());
        assert!(Dist::pareto(1.0, 0.0).is_err());
        assert!(Dist::exponential(f64::NAN).is_err());
        assert!(Dist::lognormal(0.0, 1.0).is_err());
    }

    #[test]
    fn zero_detection() {
        assert!(Dist::constant(0.0).unwrap().is_always_zero());
        assert!(Dist::uniform(0.0, 0.0).unwrap().is_always_zero());
        assert!(!Dist::uniform(0.0, 1.0).unwrap().is_always_zero());
        assert!(!Dist::exponential(1.0).unwrap().is_always_zero());
    }

    /// A `Delay` gives what `sample_time` gives, with the same draws, for a
    /// constant (also one too large for `SimTime`) and for drawn kinds.
    #[test]
    fn delay_matches_sample_time() {
        for d in [
            Dist::constant(5000.0).unwrap(),
            Dist::constant(0.0).unwrap(),
            Dist::constant(1e300).unwrap(),
            Dist::exponential(5000.0).unwrap(),
            Dist::uniform(1000.0, 3000.0).unwrap(),
        ] {
            let delay = Delay::new(&d);
            let mut a = StreamSeed::new(4).stream(&[1]);
            let mut b = a.clone();
            for _ in 0..1000 {
                assert_eq!(delay.sample(&mut a), d.sample_time(&mut b), "{d:?}");
            }
        }
    }
}
