//! Where point labels go so that none covers another: each label tries
//! places around its point in a fixed order of preference and takes the
//! first that overlaps no label placed before it, no marker and stays inside
//! the plot; when every place is taken, the one that overlaps least. Pure
//! geometry in pixels, so it is tested without drawing.

/// An axis-aligned rectangle in pixels: left, top, width, height.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) struct Rect {
    pub(crate) x: i32,
    pub(crate) y: i32,
    pub(crate) w: i32,
    pub(crate) h: i32,
}

impl Rect {
    /// The area two rectangles share (0 when they only touch).
    pub(crate) fn overlap(&self, o: &Rect) -> i64 {
        let w = (self.x + self.w).min(o.x + o.w) - self.x.max(o.x);
        let h = (self.y + self.h).min(o.y + o.h) - self.y.max(o.y);
        if w > 0 && h > 0 {
            w as i64 * h as i64
        } else {
            0
        }
    }

    /// How much of it lies outside `area`.
    fn outside(&self, area: &Rect) -> i64 {
        self.w as i64 * self.h as i64 - self.overlap(area)
    }
}

/// A label to place: the point it names and the size of its text.
#[derive(Copy, Clone, Debug)]
pub(crate) struct Label {
    pub(crate) at: (i32, i32),
    pub(crate) size: (i32, i32),
}

/// Gap between a point and its label, in pixels.
const GAP: i32 = 6;

/// The places a label tries, as offsets of its top-left corner from its
/// point: right, left, above, below, then the diagonals, then the same
/// further out (two text heights), for crowded clusters.
fn candidates(l: &Label) -> Vec<(i32, i32)> {
    let (w, h) = l.size;
    let mut out = Vec::new();
    for k in 0..4 {
        let far = k * (h + 2);
        out.extend([
            (GAP + far, -h / 2),
            (-GAP - w - far, -h / 2),
            (-w / 2, -GAP - h - far),
            (-w / 2, GAP + far),
            (GAP + far, -GAP - h - far),
            (GAP + far, GAP + far),
            (-GAP - w - far, -GAP - h - far),
            (-GAP - w - far, GAP + far),
        ]);
    }
    out
}

/// Places `labels` in order inside `area`, around `markers` (rectangles
/// to keep clear: the points themselves, the legend). Returns each label's
/// rectangle.
pub(crate) fn place(labels: &[Label], markers: &[Rect], area: Rect) -> Vec<Rect> {
    let mut placed: Vec<Rect> = Vec::new();
    for l in labels {
        let mut best: Option<(i64, Rect)> = None;
        for (dx, dy) in candidates(l) {
            let r = Rect {
                x: l.at.0 + dx,
                y: l.at.1 + dy,
                w: l.size.0,
                h: l.size.1,
            };
            // Outside the plot counts the most, then other labels, then markers.
            let cost = 1000 * r.outside(&area)
                + 100 * placed.iter().map(|p| r.overlap(p)).sum::<i64>()
                + markers.iter().map(|m| r.overlap(m)).sum::<i64>();
            if best.is_none_or(|(c, _)| cost < c) {
                best = Some((cost, r));
            }
            if cost == 0 {
                break;
            }
        }
        if let Some((_, r)) = best {
            placed.push(r);
        }
    }
    placed
}

/// A square `2r` wide around a point: a marker to keep clear.
pub(crate) fn marker(at: (i32, i32), r: i32) -> Rect {
    Rect {
        x: at.0 - r,
        y: at.1 - r,
        w: 2 * r,
        h: 2 * r,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AREA: Rect = Rect {
        x: 0,
        y: 0,
        w: 800,
        h: 500,
    };

    fn no_two_overlap(rs: &[Rect]) {
        for (i, a) in rs.iter().enumerate() {
            for b in &rs[i + 1..] {
                assert_eq!(a.overlap(b), 0, "{a:?} overlaps {b:?}");
            }
        }
    }

    /// Four labels on one point (identical points of four lines, as a sweep
    /// whose longer waits all give the same figures draws them): four places,
    /// none covering another, none covering the point, all inside the plot.
    #[test]
    fn labels_of_one_point_do_not_collide() {
        let at = (400, 250);
        let labels = [Label { at, size: (60, 12) }; 4];
        let markers = [marker(at, 4)];
        let rs = place(&labels, &markers, AREA);
        no_two_overlap(&rs);
        for r in &rs {
            assert_eq!(r.overlap(&markers[0]), 0, "{r:?}");
            assert_eq!(r.outside(&AREA), 0, "{r:?}");
        }
        // The first takes the preferred place: right of the point, centred.
        assert_eq!(
            rs[0],
            Rect {
                x: 406,
                y: 244,
                w: 60,
                h: 12
            }
        );
    }

    /// A crowded row of points 10 px apart (closer than a label is wide) and
    /// a point in the plot's top-right corner, whose label must turn inwards.
    #[test]
    fn crowded_and_cornered_labels_stay_apart_and_inside() {
        let mut labels: Vec<Label> = (0..6)
            .map(|i| Label {
                at: (200 + 10 * i, 300),
                size: (40, 12),
            })
            .collect();
        labels.push(Label {
            at: (798, 2),
            size: (50, 12),
        });
        let markers: Vec<Rect> = labels.iter().map(|l| marker(l.at, 4)).collect();
        let rs = place(&labels, &markers, AREA);
        no_two_overlap(&rs);
        for r in &rs {
            assert_eq!(r.outside(&AREA), 0, "{r:?}");
        }
        assert!(rs[6].x + rs[6].w <= 798 && rs[6].y >= 2, "{:?}", rs[6]);
    }
}
