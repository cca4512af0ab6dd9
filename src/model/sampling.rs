//! How a short poll picks its `k` nodes: by weight, without replacement,
//! among the nodes that are up.
//!
//! The draw is *successive sampling*: the first node with probability
//! proportional to weight, the next in proportion among those left, and so
//! on. When `k` is small next to the number of nodes up, it is done by
//! rejection from an alias table (O(k) expected, independent of the fleet
//! size); otherwise by Efraimidis–Spirakis keys over the up nodes, which has
//! exactly the same distribution.

use super::ids::NodeId;
use crate::engine::Stream;
use rand::Rng;

/// A uniform draw in `[0, n)` by multiply-shift (Lemire), stable across rand
/// versions because it only uses `next_u64`.
#[inline]
pub fn below(rng: &mut Stream, n: u64) -> u64 {
    ((rng.next_u64() as u128 * n as u128) >> 64) as u64
}

/// A uniform draw in `[0, 1)` with 53 bits.
#[inline]
pub(crate) fn unit(rng: &mut Stream) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// Vose's alias table: O(1) draws from a fixed discrete distribution.
/// Equal weights take a single uniform draw instead (the common case).
#[derive(Clone, Debug)]
pub struct Alias {
    prob: Vec<f64>,
    alias: Vec<u32>,
    equal: bool,
}

impl Alias {
    pub fn new(weights: &[f64]) -> Alias {
        let n = weights.len();
        let total: f64 = weights.iter().sum();
        let mut scaled: Vec<f64> = weights.iter().map(|w| w * n as f64 / total).collect();
        let mut prob = vec![1.0; n];
        let mut alias: Vec<u32> = (0..n as u32).collect();
        let (mut small, mut large): (Vec<usize>, Vec<usize>) =
            (0..n).partition(|&i| scaled[i] < 1.0);
        while let (Some(s), Some(&l)) = (small.pop(), large.last()) {
            prob[s] = scaled[s];
            alias[s] = l as u32;
            scaled[l] -= 1.0 - scaled[s];
            if scaled[l] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        let equal = weights.windows(2).all(|w| w[0] == w[1]);
        Alias { prob, alias, equal }
    }

    #[inline]
    pub fn draw(&self, rng: &mut Stream) -> u32 {
        let i = below(rng, self.prob.len() as u64) as usize;
        if self.equal {
            return i as u32;
        }
        if unit(rng) < self.prob[i] {
            i as u32
        } else {
            self.alias[i]
        }
    }
}

/// Picks short-poll nodes. Owns scratch space so a poll allocates nothing.
#[derive(Clone, Debug)]
pub struct Sampler {
    weights: Vec<f64>,
    alias: Alias,
    /// `mark[i] == stamp` ⇔ node `i` already picked in the current draw.
    mark: Vec<u32>,
    stamp: u32,
    keys: Vec<(f64, u32)>,
    /// Rejection is fast only when no node outweighs the rest by far: with
    /// `2k ≤ up` and weights within a factor R, each pick takes at most about
    /// 2R draws. A fleet skewed beyond [`MAX_REJECTION_SKEW`] (weights of
    /// 1 and 10⁹: hundreds of millions of draws per poll) always takes the
    /// Efraimidis–Spirakis branch, which has the same distribution.
    rejection_ok: bool,
}

/// Up to this many picks, rejection checks a draw against the picks so far
/// (a few compares) instead of marking nodes.
const FEW_PICKS: usize = 8;

/// Rejection sampling of `k` distinct up nodes, few enough that looking
/// through the picks is the cheapest test of "already picked".
#[inline(always)]
fn pick_few(
    rng: &mut Stream,
    up: &[bool],
    k: u32,
    out: &mut Vec<NodeId>,
    mut draw: impl FnMut(&mut Stream) -> u32,
) {
    while (out.len() as u32) < k {
        let i = draw(rng);
        let node = NodeId::new(i);
        if up[i as usize] && !out.contains(&node) {
            out.push(node);
        }
    }
}

/// The largest weight ratio for which short polls sample by rejection.
const MAX_REJECTION_SKEW: f64 = 1000.0;

impl Sampler {
    pub fn new(weights: &[f64]) -> Sampler {
        let max = weights.iter().cloned().fold(0.0, f64::max);
        let min = weights.iter().cloned().fold(f64::INFINITY, f64::min);
        Sampler {
            rejection_ok: max <= min * MAX_REJECTION_SKEW,
            weights: weights.to_vec(),
            alias: Alias::new(weights),
            mark: vec![0; weights.len()],
            stamp: 0,
            keys: Vec::new(),
        }
    }

    /// Fills `out` with up to `k` distinct up nodes (`up[i]`), all of them if
    /// fewer than `k` are up.
    pub fn sample(
        &mut self,
        rng: &mut Stream,
        up: &[bool],
        up_count: u32,
        k: u32,
        out: &mut Vec<NodeId>,
    ) {
        out.clear();
        let n = self.weights.len() as u32;
        if up_count <= k {
            out.extend((0..n).filter(|&i| up[i as usize]).map(NodeId::new));
            return;
        }
        if 2 * k <= up_count && self.rejection_ok {
            // Rejection: each accepted draw is a draw by weight conditioned on
            // "up and not yet picked", i.e. the next step of successive sampling.
            // The stream is copied so that its state stays in registers
            // through the loop, and written back: the same draws.
            let mut local = rng.clone();
            let n = self.weights.len() as u64;
            match (k as usize <= FEW_PICKS, self.alias.equal) {
                (true, true) => pick_few(&mut local, up, k, out, |r| below(r, n) as u32),
                (true, false) => pick_few(&mut local, up, k, out, |r| self.alias.draw(r)),
                (false, _) => self.pick_marked(&mut local, up, k, out),
            }
            *rng = local;
        } else {
            // Dense case: Efraimidis–Spirakis, the k largest u^(1/w).
            self.keys.clear();
            for i in 0..n {
                if up[i as usize] {
                    let u = unit(rng).max(f64::MIN_POSITIVE);
                    let key = u.ln() / self.weights[i as usize];
                    self.keys.push((key, i));
                }
            }
            let k = k as usize;
            self.keys
                .select_nth_unstable_by(k - 1, |a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            out.extend(self.keys[..k].iter().map(|&(_, i)| NodeId::new(i)));
        }
    }

    /// Rejection sampling of many picks: `mark` says which are taken.
    fn pick_marked(&mut self, rng: &mut Stream, up: &[bool], k: u32, out: &mut Vec<NodeId>) {
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.mark.iter_mut().for_each(|m| *m = 0);
            self.stamp = 1;
        }
        while (out.len() as u32) < k {
            let i = self.alias.draw(rng);
            let iu = i as usize;
            if up[iu] && self.mark[iu] != self.stamp {
                self.mark[iu] = self.stamp;
                out.push(NodeId::new(i));
            }
        }
    }
}

/// Every ordered draw of `k` distinct nodes with its probability under
/// successive sampling (all nodes up): the definition the sampler follows,
/// spelled out by brute force for tests on small fleets.
pub fn successive_draws(w: &[f64], k: usize) -> Vec<(Vec<usize>, f64)> {
    fn rec(w: &[f64], k: usize, picked: &mut Vec<usize>, p: f64, out: &mut Vec<(Vec<usize>, f64)>) {
        if picked.len() == k {
            out.push((picked.clone(), p));
            return;
        }
        let rest: f64 = (0..w.len())
            .filter(|i| !picked.contains(i))
            .map(|i| w[i])
            .sum();
        for i in 0..w.len() {
            if !picked.contains(&i) {
                picked.push(i);
                rec(w, k, picked, p * w[i] / rest, out);
                picked.pop();
            }
        }
    }
    let mut out = Vec::new();
    rec(w, k, &mut Vec::new(), 1.0, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::StreamSeed;

    /// Inclusion frequencies match exact successive-sampling probabilities,
    /// both in the rejection regime and the dense regime.
    #[test]
    fn inclusion_probabilities_match_successive_sampling() {
        let w = [1.0, 2.0, 3.0, 4.0];
        let exact = exact_inclusion(&w, 2);
        for (up_mask, k) in [([true; 4], 2u32), ([true; 4], 3)] {
            let exact = if k == 2 {
                exact.clone()
            } else {
                exact_inclusion(&w, 3)
            };
            let mut s = Sampler::new(&w);
            let mut rng = StreamSeed::new(3).stream(&[k as u64]);
            let n = 200_000;
            let mut hits = [0u64; 4];
            let mut out = Vec::new();
            for _ in 0..n {
                s.sample(&mut rng, &up_mask, 4, k, &mut out);
                assert_eq!(out.len(), k as usize);
                for &i in &out {
                    hits[i.index()] += 1;
                }
            }
            for i in 0..4 {
                let p = exact[i];
                let f = hits[i] as f64 / n as f64;
                let se = (p * (1.0 - p) / n as f64).sqrt();
                assert!((f - p).abs() < 4.5 * se, "k={k} node {i}: {f} vs {p}");
            }
        }
    }

    /// P(node i is among the k picked) by enumerating all ordered draws.
    fn exact_inclusion(w: &[f64], k: usize) -> Vec<f64> {
        let mut acc = vec![0.0; w.len()];
        for (picked, p) in successive_draws(w, k) {
            for i in picked {
                acc[i] += p;
            }
        }
        acc
    }

    /// The two ways of rejecting a node already picked (a look through
    /// the picks, marks) turn the same draws into the same picks, with
    /// equal weights and unequal ones: the stream is left where it was.
    #[test]
    fn both_rejection_tests_pick_the_same_nodes_from_the_same_draws() {
        for w in [vec![1.0; 10], (1..=10).map(f64::from).collect()] {
            let mut s = Sampler::new(&w);
            let mut up = [true; 10];
            up[4] = false;
            let mut rng = StreamSeed::new(7).stream(&[]);
            let (mut few, mut marked) = (Vec::new(), Vec::new());
            for k in [1, 2, 3, 4] {
                for _ in 0..2_000 {
                    let mut again = rng.clone();
                    s.sample(&mut rng, &up, 9, k, &mut few);
                    marked.clear();
                    s.pick_marked(&mut again, &up, k, &mut marked);
                    assert_eq!(few, marked);
                    assert_eq!(
                        rand::Rng::next_u64(&mut rng),
                        rand::Rng::next_u64(&mut again)
                    );
                }
            }
        }
    }

    /// Many picks (past `FEW_PICKS`) by rejection: distinct up nodes, each
    /// included with probability k / up (equal weights, by symmetry).
    #[test]
    fn many_picks_by_rejection_include_each_node_equally() {
        let mut up = [true; 20];
        up[0] = false;
        up[13] = false;
        let mut s = Sampler::new(&[1.0; 20]);
        let mut rng = StreamSeed::new(8).stream(&[]);
        let (n, k, mut hits, mut out) = (20_000, 9u32, [0u64; 20], Vec::new());
        assert!(k as usize > FEW_PICKS && 2 * k <= 18);
        for _ in 0..n {
            s.sample(&mut rng, &up, 18, k, &mut out);
            let mut d: Vec<_> = out.iter().map(|i| i.index()).collect();
            d.sort();
            d.dedup();
            assert_eq!(d.len(), k as usize);
            for i in d {
                hits[i] += 1;
            }
        }
        let p = 9.0 / 18.0;
        let se = (p * (1.0 - p) / n as f64).sqrt();
        for (i, &h) in hits.iter().enumerate() {
            let f = h as f64 / n as f64;
            if up[i] {
                assert!((f - p).abs() < 4.5 * se, "node {i}: {f} vs {p}");
            } else {
                assert_eq!(h, 0);
            }
        }
    }

    #[test]
    fn down_nodes_are_never_picked() {
        let w = [1.0; 10];
        let mut up = [true; 10];
        up[3] = false;
        up[7] = false;
        let mut s = Sampler::new(&w);
        let mut rng = StreamSeed::new(1).stream(&[]);
        let mut out = Vec::new();
        for k in 1..=9 {
            for _ in 0..1000 {
                s.sample(&mut rng, &up, 8, k, &mut out);
                assert_eq!(out.len(), (k as usize).min(8));
                assert!(out.iter().all(|&i| i.index() != 3 && i.index() != 7));
                let mut d = out.clone();
                d.sort();
                d.dedup();
                assert_eq!(d.len(), out.len());
            }
        }
    }

    /// A fleet skewed by 10⁹ (found by the property test: it hung a run for
    /// minutes inside one short poll) samples through the dense branch, so
    /// a poll stays cheap, and still with successive-sampling inclusion
    /// probabilities.
    #[test]
    fn a_skewed_fleet_samples_quickly_and_exactly() {
        let w = [1.0, 1.0, 1.0, 1e9];
        let exact = exact_inclusion(&w, 2);
        let mut s = Sampler::new(&w);
        assert!(!s.rejection_ok);
        let mut rng = StreamSeed::new(5).stream(&[]);
        let (n, mut hits, mut out) = (100_000, [0u64; 4], Vec::new());
        for _ in 0..n {
            s.sample(&mut rng, &[true; 4], 4, 2, &mut out);
            for &i in &out {
                hits[i.index()] += 1;
            }
        }
        for i in 0..4 {
            let (p, f) = (exact[i], hits[i] as f64 / n as f64);
            let se = (p * (1.0 - p) / n as f64).sqrt().max(1e-9);
            assert!((f - p).abs() < 4.5 * se + 1e-9, "node {i}: {f} vs {p}");
        }
        assert!(Sampler::new(&[1.0, 2.0, 3.0, 4.0]).rejection_ok);
    }
}
