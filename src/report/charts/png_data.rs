//! A PNG's image data (the payload of its IDAT chunk): each row filtered,
//! then the whole picture deflated in one stream.
//!
//! Why not the `png` crate's own `write_image_data`: it hands its deflater
//! every row in two writes, and flate2 (on its miniz_oxide backend) zeroes
//! its 32 KiB output buffer on every write. For the six charts of a run that
//! was 7,200 × 32 KiB of `memset`, more than half of all the instructions
//! spent on charts (callgrind, `sqs-sim plot` of the reference load: 514 M,
//! of which 266 M in `memset`). Here the rows go to the deflater in one
//! write; the `png` crate still writes the file's chunks.

use std::io::Write;

/// Bytes per pixel of 8-bit RGB: a filter compares a byte with the same
/// colour channel of the pixel to its left.
const BPP: usize = 3;

/// The zlib stream of `rgb` (8-bit RGB, `width` pixels a row) as PNG image
/// data: every row starts with its filter type. Each row takes the filter
/// (None, Sub or Up) whose output has the smallest sum of absolute values
/// read as signed bytes, the usual heuristic (libpng's, and the `png`
/// crate's `Adaptive`, which also tries Average and Paeth: on the six
/// charts of the reference load, adding Paeth made the files 0.9 % smaller
/// for 50 M more instructions). Deflate level 1: see `canvas::encode_png`.
pub(crate) fn image_data(rgb: &[u8], width: u32) -> std::io::Result<Vec<u8>> {
    let filtered = filtered(rgb, width);
    let mut z = flate2::write::ZlibEncoder::new(
        Vec::with_capacity(filtered.len() / 8),
        flate2::Compression::new(1),
    );
    z.write_all(&filtered)?;
    z.finish()
}

/// Every row of `rgb` with its filter type before it, filtered.
fn filtered(rgb: &[u8], width: u32) -> Vec<u8> {
    let stride = width as usize * BPP;
    let zeros = vec![0u8; stride];
    let rows = rgb.len() / stride.max(1);
    let mut filtered = Vec::with_capacity(rows * (stride + 1));
    let mut candidate = vec![0u8; stride];
    let mut best = vec![0u8; stride];
    let mut prev: &[u8] = &zeros;
    for row in rgb.chunks_exact(stride.max(1)) {
        // The cheapest filter, ties to the first of None, Up, Sub. Up goes
        // first: on a chart most rows repeat the one above (all zeros, which
        // nothing beats unless the row itself is all zeros). Such a row is
        // found by comparing it with the one above, without filtering it.
        if row == prev && row.iter().any(|&b| b != 0) {
            filtered.push(UP);
            filtered.resize(filtered.len() + stride, 0);
            continue;
        }
        up(row, prev, &mut best);
        let mut best_cost = cost(&best, u64::MAX);
        let mut best_kind = UP;
        // None's cost; when Up's is 0, only an all-zero row ties it, which
        // `all` finds at the first non-zero byte rather than summing.
        let none = match best_cost {
            0 => row.iter().all(|&b| b == 0).then_some(0),
            _ => Some(cost(row, best_cost)),
        };
        if let Some(c) = none.filter(|&c| c <= best_cost) {
            (best_kind, best_cost) = (NONE, c);
            best.copy_from_slice(row);
        }
        if best_cost > 0 {
            sub(row, &mut candidate);
            if cost(&candidate, best_cost - 1) < best_cost {
                best_kind = SUB;
                std::mem::swap(&mut best, &mut candidate);
            }
        }
        filtered.push(best_kind);
        filtered.extend_from_slice(&best);
        prev = row;
    }
    filtered
}

/// The heuristic's cost of a filtered row when it is at most `limit`;
/// past that, some larger number: the sum stops once the row cannot win
/// (a white row costs 1 a byte unfiltered, far more than most rows filtered).
fn cost(row: &[u8], limit: u64) -> u64 {
    // Summed in `LANES` u16 lanes, a fixed-size loop the compiler
    // vectorises (u32 lanes took four times the instructions); a lane
    // gets at most 16 values of at most 128 before it is emptied and the
    // total compared with `limit`.
    const LANES: usize = 32;
    let abs = |b: u8| (b as i8).unsigned_abs();
    let mut total = 0u64;
    for block in row.chunks(LANES * 16) {
        let mut lanes = [0u16; LANES];
        let mut chunks = block.chunks_exact(LANES);
        for c in &mut chunks {
            for (l, &b) in lanes.iter_mut().zip(c) {
                *l += abs(b) as u16;
            }
        }
        total += lanes.iter().map(|&l| l as u64).sum::<u64>();
        total += chunks
            .remainder()
            .iter()
            .map(|&b| abs(b) as u64)
            .sum::<u64>();
        if total > limit {
            break;
        }
    }
    total
}

/// PNG filter types (the byte that starts each filtered row).
const NONE: u8 = 0;
const SUB: u8 = 1;
const UP: u8 = 2;

/// The Sub filter: each byte less the same channel of the pixel to its
/// left. Whole-slice loops without a branch per byte, which the compiler
/// vectorises (as `up`).
fn sub(row: &[u8], out: &mut [u8]) {
    let (head, rest) = out.split_at_mut(BPP);
    head.copy_from_slice(&row[..BPP]);
    for ((o, &x), &a) in rest.iter_mut().zip(&row[BPP..]).zip(row) {
        *o = x.wrapping_sub(a);
    }
}

/// The Up filter: each byte less the byte above it (`prev`).
fn up(row: &[u8], prev: &[u8], out: &mut [u8]) {
    for ((o, &x), &b) in out.iter_mut().zip(row).zip(prev) {
        *o = x.wrapping_sub(b);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The heuristic as stated, every cost summed in full: the filter
    /// type and bytes of each row.
    fn plain_heuristic(rgb: &[u8], width: usize) -> Vec<u8> {
        let stride = width * BPP;
        let cost = |r: &[u8]| {
            r.iter()
                .map(|&b| (b as i8).unsigned_abs() as u64)
                .sum::<u64>()
        };
        let mut out = Vec::new();
        let mut prev = vec![0u8; stride];
        for row in rgb.chunks_exact(stride) {
            let none = row.to_vec();
            let up: Vec<u8> = row
                .iter()
                .zip(&prev)
                .map(|(x, b)| x.wrapping_sub(*b))
                .collect();
            let sub: Vec<u8> = (0..stride)
                .map(|i| row[i].wrapping_sub(if i >= BPP { row[i - BPP] } else { 0 }))
                .collect();
            // Ties go to the first of None, Up, Sub.
            let mut best = (cost(&none), NONE, none);
            for (kind, r) in [(UP, up), (SUB, sub)] {
                if cost(&r) < best.0 {
                    best = (cost(&r), kind, r);
                }
            }
            out.push(best.1);
            out.extend_from_slice(&best.2);
            prev = row.to_vec();
        }
        out
    }

    /// The shortcuts (a row repeating the one above, sums stopped once a
    /// filter cannot win) choose what the plain heuristic chooses, on rows
    /// wider than a summing block: black, white, repeated, sparse, noisy,
    /// ramps.
    #[test]
    fn filters_match_the_plain_heuristic() {
        let w = 700usize;
        let stride = w * BPP;
        let mut seed = 12345u32;
        let mut noise = || {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            (seed >> 16) as u8
        };
        let mut rgb = Vec::new();
        for y in 0..16 {
            let row: Vec<u8> = match y {
                0 | 1 | 7 => vec![0; stride],
                2 | 3 | 9 => vec![255; stride],
                // White with a few dark dots (a curve crossing a blank row).
                4 | 5 => (0..stride)
                    .map(|i| if i % 97 == y { 40 } else { 255 })
                    .collect(),
                6 | 10 => (0..stride).map(|_| noise()).collect(),
                8 => (0..stride).map(|i| (i / BPP % 256) as u8).collect(),
                // Dark grey, so None's sum is large but not past every block.
                11 => vec![200; stride],
                _ => (0..stride)
                    .map(|i| if i < 1800 { 255 } else { noise() })
                    .collect(),
            };
            rgb.extend(row);
        }
        // Rows that repeat the one above: 1 (black), 3 (white), 12 repeats 11.
        let l = rgb.len();
        rgb.copy_within(11 * stride..12 * stride, 12 * stride);
        assert_eq!(rgb.len(), l);
        let got = filtered(&rgb, w as u32);
        let want = plain_heuristic(&rgb, w);
        let kinds = |v: &[u8]| v.chunks_exact(stride + 1).map(|r| r[0]).collect::<Vec<_>>();
        assert_eq!(kinds(&got), kinds(&want));
        assert_eq!(got, want);
        // Every filter type is chosen somewhere.
        for k in [NONE, UP, SUB] {
            assert!(kinds(&got).contains(&k), "{:?}", kinds(&got));
        }
    }

    /// Every row decodes back to the picture (the filters inverted as a
    /// decoder does), and each filter type is chosen somewhere.
    #[test]
    fn rows_unfilter_to_the_picture() {
        let (w, h) = (7usize, 6usize);
        let mut rgb = vec![255u8; w * h * BPP];
        for (i, px) in rgb.chunks_exact_mut(BPP).enumerate() {
            let (x, y) = (i % w, i / w);
            match y {
                0 | 1 => {}                                     // white
                2 => px.copy_from_slice(&[x as u8 * 30, 0, 9]), // a ramp
                3 => px.copy_from_slice(&[x as u8 * 30, 0, 9]), // the same again
                _ => px.copy_from_slice(&[(x * y * 37 % 251) as u8, (x * 11) as u8, 200]),
            }
        }
        let z = image_data(&rgb, w as u32).unwrap();
        let mut raw = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::ZlibDecoder::new(&z[..]), &mut raw).unwrap();
        let stride = w * BPP;
        assert_eq!(raw.len(), h * (stride + 1));
        let mut prev = vec![0u8; stride];
        let mut kinds = Vec::new();
        for (y, line) in raw.chunks_exact(stride + 1).enumerate() {
            kinds.push(line[0]);
            let mut row = vec![0u8; stride];
            for i in 0..stride {
                let a = if i >= BPP { row[i - BPP] } else { 0 };
                let predicted = match line[0] {
                    0 => 0,
                    1 => a,
                    2 => prev[i],
                    k => panic!("filter type {k}"),
                };
                row[i] = line[1 + i].wrapping_add(predicted);
            }
            assert_eq!(row, rgb[y * stride..][..stride], "row {y}");
            prev = row;
        }
        // Row 3 repeats row 2: Up makes it all zeros.
        assert_eq!(kinds[3], 2);
        assert!(kinds.iter().any(|&k| k != 2), "{kinds:?}");
    }
}
