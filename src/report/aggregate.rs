//! `aggregate.csv`: per variant (or sweep point), the mean of each figure over
//! the replications and the half-width of its 95% confidence interval
//! (Student's t with n − 1 degrees of freedom; 0 with one replication).
//! A figure that exists in only some replications (a latency when some had
//! no delivery) is averaged over those; one that exists in none is an empty
//! cell.

use super::keyed::{self, Keys};
use super::summary::{Metric, SummaryRow};
use std::collections::HashMap;

/// A figure over replications: its mean and the half-width of its 95%
/// confidence interval.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Estimate {
    pub mean: f64,
    pub ci95: f64,
}

/// One row of `aggregate.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct Aggregate {
    /// Leading key columns (e.g. variant, or param, value, variant).
    pub keys: Keys,
    pub replications: usize,
    /// Per metric (indexed by [`Metric`]); `None` when the figure exists in
    /// no replication.
    stats: [Option<Estimate>; Metric::COUNT],
}

impl Aggregate {
    /// The estimate of `m`, if the figure exists.
    pub fn get(&self, m: Metric) -> Option<Estimate> {
        self.stats[m as usize]
    }
}

impl Metric {
    /// Its mean's column in `aggregate.csv`.
    pub fn mean_column(self) -> String {
        format!("{}_mean", self.name())
    }

    /// Its CI half-width's column in `aggregate.csv`.
    pub fn ci95_column(self) -> String {
        format!("{}_ci95", self.name())
    }
}

/// Mean and 95% CI half-width of `xs`: the textbook two-pass definition,
/// which [`from_summary`] must match bit for bit.
#[cfg(test)]
fn mean_ci(xs: &[f64]) -> Estimate {
    let n = xs.len();
    if n == 0 {
        return Estimate {
            mean: 0.0,
            ci95: 0.0,
        };
    }
    let mean = xs.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return Estimate { mean, ci95: 0.0 };
    }
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    Estimate {
        mean,
        ci95: t975(n - 1) * (var / n as f64).sqrt(),
    }
}

/// The 97.5% quantile of Student's t distribution.
pub(crate) fn t975(df: usize) -> f64 {
    const T: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => f64::NAN,
        1..=30 => T[df - 1],
        // Cornish–Fisher style expansion, accurate to 1e-3 beyond 30.
        _ => {
            let z: f64 = 1.959964;
            let d = df as f64;
            z + (z.powi(3) + z) / (4.0 * d)
                + (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / (96.0 * d * d)
        }
    }
}

/// The rows of `aggregate.csv` from `summary.csv` (in output order): one per
/// sweep point and variant, in order of first appearance.
///
/// The file is read twice, as a stream (rewound: the caller's reader may
/// serve other passes too), so memory holds one accumulator per group and
/// metric, never the runs: the first pass sums each figure, the second the
/// squared deviations from the mean. Both add in file order, exactly as
/// [`mean_ci`] adds a slice, so the bits are the same.
pub(crate) fn from_summary(summary: &mut keyed::Records) -> anyhow::Result<Vec<Aggregate>> {
    let mut groups: Vec<Group> = Vec::new();
    let mut index: HashMap<Keys, usize> = HashMap::new();
    summary.rewind()?;
    summary.for_each(|point, row: SummaryRow| {
        let key = with_variant(&point, &row.variant);
        let g = *index.entry(key).or_insert_with_key(|key| {
            groups.push(Group::new(key.clone()));
            groups.len() - 1
        });
        groups[g].add(&row);
    })?;
    let mut g = 0;
    let mut last: Option<Keys> = None;
    summary.rewind()?;
    summary.for_each(|point, row: SummaryRow| {
        let key = with_variant(&point, &row.variant);
        // Rows of one group mostly come together: look up only on a change.
        if last.as_ref() != Some(&key) {
            g = index[&key];
            last = Some(key);
        }
        groups[g].add_deviations(&row);
    })?;
    Ok(groups.into_iter().map(Group::estimate).collect())
}

/// The rows of an `aggregate.csv` read back (as [`to_csv`] wrote them):
/// what `plot` and the trade-off chart judge the SLO advice on.
pub(crate) fn from_table(t: &super::keyed::Table) -> anyhow::Result<Vec<Aggregate>> {
    let reps = t.col("replications")?;
    let cols: Vec<(usize, usize)> = Metric::ALL
        .iter()
        .map(|m| Ok((t.col(&m.mean_column())?, t.col(&m.ci95_column())?)))
        .collect::<anyhow::Result<_>>()?;
    (0..t.rows.len())
        .map(|i| {
            let keys = t.header[..reps]
                .iter()
                .zip(t.rows[i].iter())
                .map(|(h, c)| (h.clone(), c.to_string()))
                .collect();
            let mut stats = [None; Metric::COUNT];
            for (s, &(m, c)) in stats.iter_mut().zip(&cols) {
                if let Some(mean) = t.opt_num(i, m)? {
                    *s = Some(Estimate {
                        mean,
                        ci95: t.opt_num(i, c)?.unwrap_or(0.0),
                    });
                }
            }
            Ok(Aggregate {
                keys,
                replications: t.num(i, reps)? as usize,
                stats,
            })
        })
        .collect()
}

#[cfg(test)]
impl Aggregate {
    /// An aggregate with no figures yet (for tests of what reads them).
    pub(crate) fn for_test(keys: Keys, replications: usize) -> Aggregate {
        Aggregate {
            keys,
            replications,
            stats: [None; Metric::COUNT],
        }
    }

    pub(crate) fn set(&mut self, m: Metric, mean: f64, ci95: f64) {
        self.stats[m as usize] = Some(Estimate { mean, ci95 });
    }
}

/// The running sums of one row of `aggregate.csv`.
struct Group {
    keys: Keys,
    runs: usize,
    /// Per metric: how many runs have the figure, their sum, and the sum of
    /// their squared deviations from the mean (second pass).
    n: [usize; Metric::COUNT],
    sum: [f64; Metric::COUNT],
    deviations: [f64; Metric::COUNT],
}

impl Group {
    fn new(keys: Keys) -> Group {
        // What `Iterator::sum` starts from, so sums have its bits.
        let zero: f64 = std::iter::empty::<f64>().sum();
        Group {
            keys,
            runs: 0,
            n: [0; Metric::COUNT],
            sum: [zero; Metric::COUNT],
            deviations: [zero; Metric::COUNT],
        }
    }

    fn add(&mut self, row: &SummaryRow) {
        self.runs += 1;
        for (i, &m) in Metric::ALL.iter().enumerate() {
            if let Some(x) = row.get(m) {
                self.n[i] += 1;
                self.sum[i] += x;
            }
        }
    }

    fn mean(&self, i: usize) -> f64 {
        self.sum[i] / self.n[i] as f64
    }

    fn add_deviations(&mut self, row: &SummaryRow) {
        for (i, &m) in Metric::ALL.iter().enumerate() {
            if let Some(x) = row.get(m) {
                self.deviations[i] += (x - self.mean(i)).powi(2);
            }
        }
    }

    /// As [`mean_ci`] computes it from the same figures.
    fn estimate(self) -> Aggregate {
        let stats = std::array::from_fn(|i| {
            let n = self.n[i];
            (n > 0).then(|| Estimate {
                mean: self.mean(i),
                ci95: if n < 2 {
                    0.0
                } else {
                    let var = self.deviations[i] / (n - 1) as f64;
                    t975(n - 1) * (var / n as f64).sqrt()
                },
            })
        });
        Aggregate {
            keys: self.keys,
            replications: self.runs,
            stats,
        }
    }
}

/// A point's keys followed by the variant: the grouping key of `aggregate.csv`.
fn with_variant(point: &Keys, variant: &str) -> Keys {
    let mut k = point.clone();
    k.push(("variant".to_string(), variant.to_string()));
    k
}

pub(crate) fn to_csv(aggs: &[Aggregate]) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    if let Some(first) = aggs.first() {
        let mut head: Vec<String> = first.keys.iter().map(|k| k.0.clone()).collect();
        head.push("replications".into());
        for &m in Metric::ALL {
            head.push(m.mean_column());
            head.push(m.ci95_column());
        }
        w.write_record(&head)?;
    }
    for a in aggs {
        let mut rec: Vec<String> = a.keys.iter().map(|k| k.1.clone()).collect();
        rec.push(a.replications.to_string());
        for stat in &a.stats {
            match stat {
                Some(e) => {
                    rec.push(e.mean.to_string());
                    rec.push(e.ci95.to_string());
                }
                None => rec.extend([String::new(), String::new()]),
            }
        }
        w.write_record(&rec)?;
    }
    Ok(w.into_inner()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::atomic::Content;

    #[test]
    fn mean_and_ci() {
        let e = mean_ci(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(e.mean, 2.5);
        // sd = 1.29099, se = 0.645497, t(3) = 3.182
        assert!((e.ci95 - 3.182 * 0.645497).abs() < 1e-4);
        assert_eq!(
            mean_ci(&[5.0]),
            Estimate {
                mean: 5.0,
                ci95: 0.0
            }
        );
        assert!((t975(1000) - 1.9623).abs() < 1e-3);
        assert!((t975(31) - 2.0395).abs() < 2e-3);
    }

    /// Streaming in file order gives the bits of the two-pass definition
    /// over the same figures (sums whose order matters: 0.1 + 0.2 ≠ 0.3).
    #[test]
    fn streaming_sums_have_the_bits_of_the_definition() {
        let costs: Vec<f64> = (0..1000)
            .map(|i| 0.1 * i as f64 + 1.0 / (i + 3) as f64)
            .collect();
        let rows: Vec<(Keys, SummaryRow)> = costs.iter().map(|&c| row("v", c, None)).collect();
        let refs: Vec<(&Keys, &SummaryRow)> = rows.iter().map(|(k, r)| (k, r)).collect();
        let csv = Content::Bytes(keyed::write(&refs).unwrap());
        let got = from_summary(&mut keyed::Records::open(&csv, "s").unwrap()).unwrap()[0]
            .get(Metric::CostUsd)
            .unwrap();
        let want = mean_ci(&costs);
        assert_eq!(got.mean.to_bits(), want.mean.to_bits());
        assert_eq!(got.ci95.to_bits(), want.ci95.to_bits());
    }

    fn row(variant: &str, cost: f64, p50: Option<f64>) -> (Keys, SummaryRow) {
        let row = SummaryRow {
            variant: variant.into(),
            cost_usd: cost,
            latency_p50_s: p50,
            ..SummaryRow::default()
        };
        (vec![("param".into(), "queue.nodes".into())], row)
    }

    /// Groups by point and variant in order of first appearance; a figure is
    /// averaged over the runs where it exists and is `None` where it exists
    /// in none.
    #[test]
    fn groups_and_skips_missing_figures() {
        let rows = [
            row("b", 1.0, Some(2.0)),
            row("a", 5.0, None),
            row("b", 3.0, None),
        ];
        let refs: Vec<(&Keys, &SummaryRow)> = rows.iter().map(|(k, r)| (k, r)).collect();
        let csv = Content::Bytes(keyed::write(&refs).unwrap());
        let aggs = from_summary(&mut keyed::Records::open(&csv, "s").unwrap()).unwrap();
        let keys: Vec<&str> = aggs.iter().map(|a| a.keys[1].1.as_str()).collect();
        assert_eq!(keys, ["b", "a"]);
        assert_eq!(aggs[0].keys[1].0, "variant");
        assert_eq!((aggs[0].replications, aggs[1].replications), (2, 1));
        // Costs 1 and 3: sd √2, se 1, t(1) = 12.706.
        assert_eq!(
            aggs[0].get(Metric::CostUsd),
            Some(Estimate {
                mean: 2.0,
                ci95: 12.706
            })
        );
        // One run of the two had a latency: its value, no interval.
        assert_eq!(
            aggs[0].get(Metric::LatencyP50S),
            Some(Estimate {
                mean: 2.0,
                ci95: 0.0
            })
        );
        assert_eq!(aggs[1].get(Metric::LatencyP50S), None);
        let csv = String::from_utf8(to_csv(&aggs).unwrap()).unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert!(
            lines[0].starts_with("param,variant,replications,sim_seconds_mean,sim_seconds_ci95,")
        );
        assert!(lines[0]
            .ends_with(",backlog_growth_last_quarter_mean,backlog_growth_last_quarter_ci95"));
        // Read back as `plot` reads it: the same aggregates.
        let table = keyed::Table::parse(csv.as_bytes(), "aggregate.csv").unwrap();
        assert_eq!(from_table(&table).unwrap(), aggs);
        // Variant a has no latency p50: two empty cells.
        let cells: Vec<&str> = lines[2].split(',').collect();
        let p50 = 3 + 2 * Metric::LatencyP50S as usize;
        assert_eq!(&cells[p50..p50 + 2], ["", ""]);
        assert_eq!(&cells[..3], ["queue.nodes", "a", "1"]);
    }
}
