//! What a run costs: the one place SQS billing is computed.
//!
//! SQS bills requests, not messages. Every request (SendMessage(Batch),
//! ReceiveMessage, DeleteMessage(Batch)) is billed at least once, and each
//! started 64 KiB chunk of its payload counts as one more request: a 256 KiB
//! batch is four. The recorder counts receive and delete requests as one each
//! when they reach the queue; sends and receive responses carry payloads, so
//! the model asks [`billed_requests`] how many they are. The measured total,
//! less the free tier, is priced per million ([`cost_usd`]). The bill in the
//! units people pay, a 30-day month ([`cost_usd_per_30d`]), projects the
//! window's rate to 30 days, takes the free tier off that month and prices
//! the rest by SQS's volume tiers.

use super::config::Pricing;
use super::recorder::Counters;

/// Each 64 KiB chunk of a request's payload is billed as one request.
const CHUNK_BYTES: u64 = 64 * 1024;

/// Requests billed for one call carrying `bytes` of payload: one per
/// started chunk, at least one (an empty payload is still a request).
pub(crate) fn billed_requests(bytes: u64) -> u64 {
    bytes.div_ceil(CHUNK_BYTES).max(1)
}

/// The requests a receive response adds to its request's bill: the chunks of
/// its payload beyond the first (the request itself was billed when it
/// reached the queue, so a long poll still parked at the end is billed).
pub(crate) fn response_extra_requests(bytes: u64) -> u64 {
    billed_requests(bytes) - 1
}

/// USD for Lambda invocations: a price per invocation, and GB-seconds of
/// billed duration (each invocation's rounded up to the millisecond; the
/// counters hold milliseconds × memory MB).
pub(crate) fn lambda_cost_usd(c: &Counters, pricing: &Pricing) -> f64 {
    let gb_seconds = c.lambda_mb_ms as f64 / 1024.0 / 1000.0;
    c.lambda_invocations as f64 * pricing.lambda_per_million / 1e6
        + gb_seconds * pricing.lambda_gb_second
}

/// USD for `billable` requests: the free tier first, then the price per million.
pub(crate) fn cost_usd(billable: u64, pricing: &Pricing) -> f64 {
    billable.saturating_sub(pricing.free_tier_requests) as f64 * pricing.per_million / 1e6
}

/// Seconds in the 30-day month `cost_usd_per_30d` projects to.
pub(crate) const THIRTY_DAYS_S: f64 = 30.0 * 86_400.0;

/// USD for 30 days at the rate of `billable` requests in `window_s`
/// seconds: the projected count, less `free_tier_requests`, priced tier by
/// tier. Tier boundaries count every request of the month, the free ones
/// included (AWS: "first 1 million free, then 0.40 up to 100 billion").
pub(crate) fn cost_usd_per_30d(billable: u64, window_s: f64, pricing: &Pricing) -> f64 {
    let month = billable as f64 * (THIRTY_DAYS_S / window_s);
    let free = pricing.free_tier_requests as f64;
    let mut from = 0.0f64;
    let mut usd = 0.0;
    for t in &pricing.tiers {
        let to = t.up_to.map_or(f64::INFINITY, |u| u as f64);
        let billed = month.min(to) - from.max(free);
        if billed > 0.0 {
            usd += billed * t.per_million / 1e6;
        }
        from = to;
    }
    usd
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_are_billed_in_64_kib_chunks() {
        assert_eq!(billed_requests(0), 1);
        assert_eq!(billed_requests(1), 1);
        assert_eq!(billed_requests(65536), 1);
        assert_eq!(billed_requests(65537), 2);
        // 1 MiB is exactly 16 chunks.
        assert_eq!(billed_requests(1024 * 1024), 16);
        assert_eq!(response_extra_requests(0), 0);
        assert_eq!(response_extra_requests(65537), 1);
    }

    #[test]
    fn the_free_tier_is_taken_off_before_pricing() {
        let p = Pricing {
            per_million: 0.40,
            free_tier_requests: 1_000,
            tiers: Vec::new(),
            lambda_per_million: 0.20,
            lambda_gb_second: 0.0000166667,
        };
        assert_eq!(cost_usd(999, &p), 0.0);
        assert_eq!(cost_usd(1_000, &p), 0.0);
        assert_eq!(cost_usd(3_500, &p), 2_500.0 * 0.40 / 1e6);
    }

    /// A one-hour window projects ×720 (2,592,000 s / 3,600 s). 200 million
    /// requests in the hour are 144 billion a month; less 1 million free:
    /// (100e9 − 1e6) at 0.40 = 39,999.60, then 44e9 at 0.30 = 13,200.00,
    /// 53,199.60 USD. 300 million in the hour (216 billion) crosses the
    /// third tier too: 39,999.60 + 100e9 × 0.30/1e6 = 30,000 + 16e9 ×
    /// 0.24/1e6 = 3,840: 73,839.60 USD. 1,000 requests in the hour are
    /// 720,000 a month, all free.
    #[test]
    fn thirty_days_take_the_free_tier_then_the_tiers() {
        let p = Pricing {
            per_million: 0.40,
            free_tier_requests: 1_000_000,
            tiers: crate::scenario::schema::tiers::aws_default(
                crate::model::config::QueueKind::Standard,
                0.40,
            ),
            lambda_per_million: 0.20,
            lambda_gb_second: 0.0000166667,
        };
        let usd = |n: u64| cost_usd_per_30d(n, 3600.0, &p);
        assert!(
            (usd(200_000_000) - 53_199.60).abs() < 1e-6,
            "{}",
            usd(200_000_000)
        );
        assert!(
            (usd(300_000_000) - 73_839.60).abs() < 1e-6,
            "{}",
            usd(300_000_000)
        );
        assert_eq!(usd(1_000), 0.0);
        // Without a free tier, the first tier alone: 1,000 × 720 × 0.40 / 1e6.
        let p0 = Pricing {
            free_tier_requests: 0,
            ..p.clone()
        };
        assert_eq!(cost_usd_per_30d(1_000, 3600.0, &p0), 0.288);
    }
}
