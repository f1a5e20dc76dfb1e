//! Small numeric helpers.

/// Logistic function without overflow.
#[inline]
pub fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// Probabilities are clamped to [P_EPS, 1 − P_EPS] before taking logits.
pub const P_EPS: f64 = 1e-6;

/// ln(p/(1−p)) with p clamped away from 0 and 1 (NaN → 0).
#[inline]
pub fn logit(p: f64) -> f64 {
    if !p.is_finite() {
        return 0.0;
    }
    let p = p.clamp(P_EPS, 1.0 - P_EPS);
    (p / (1.0 - p)).ln()
}

/// Makes P(X ≥ t) non-increasing in t: walking the thresholds from the lowest up, each
/// probability is capped by the one before (a cumulative minimum). Non-finite values become
/// 0.5 first; everything is clamped to [0, 1].
pub fn enforce_monotone(p: &mut [f64], thresholds: &[f64]) {
    for v in p.iter_mut() {
        *v = if v.is_finite() {
            v.clamp(0.0, 1.0)
        } else {
            0.5
        };
    }
    if p.len() != thresholds.len() || p.len() < 2 {
        return;
    }
    let mut order: Vec<usize> = (0..p.len()).collect();
    order.sort_by(|&a, &b| thresholds[a].total_cmp(&thresholds[b]));
    let mut cap = f64::INFINITY;
    for k in order {
        if p[k] > cap {
            p[k] = cap;
        }
        cap = p[k];
    }
}

/// Seconds since the Unix epoch as a UTC `YYYYMMDDTHHMMSSZ` string.
pub fn utc_stamp(unix: u64) -> String {
    let days = (unix / 86_400) as i64;
    let rem = unix % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monotone_and_stamp() {
        let mut p = vec![0.6, 0.7, 0.2, 0.3];
        enforce_monotone(&mut p, &[1.5, 2.0, 3.0, 5.0]);
        assert_eq!(p, [0.6, 0.6, 0.2, 0.2]);
        let mut q = vec![0.3, 0.6];
        enforce_monotone(&mut q, &[5.0, 1.5]);
        assert_eq!(q, [0.3, 0.6]);
        assert_eq!(utc_stamp(0), "19700101T000000Z");
        assert_eq!(utc_stamp(951_782_400), "20000229T000000Z");
        assert!((logit(sigmoid(1.3)) - 1.3).abs() < 1e-12);
    }
}
