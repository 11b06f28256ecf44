//! `Rng`: a small seedable random number generator for initialization,
//! shuffling and sampling, with no dependency.
//!
//! The generator is xoshiro256++ (Blackman and Vigna), its 256-bit state
//! filled from the seed by SplitMix64, as the authors recommend. The stream
//! of integers depends only on the seed: it is the same on every platform,
//! with every compiler, in every build profile. Everything else is computed
//! from that stream:
//!
//! * [`next_f64`](Rng::next_f64) and [`uniform`](Rng::uniform) use only
//!   IEEE-754 arithmetic (an exact scaling by a power of two, then one
//!   subtraction, one multiplication and one addition, never fused), so they
//!   are bit-for-bit identical everywhere too.
//! * [`below`](Rng::below) and [`shuffle`](Rng::shuffle) are integer-only
//!   (computed in `u64` whatever the width of `usize`).
//! * [`normal`](Rng::normal) calls `ln`, `sqrt`, `sin` and `cos`; `sqrt` is
//!   exact, but the others come from the platform's math library, whose last
//!   bit may differ between platforms.
//!
//! It is not a cryptographic generator.
//!
//! ```
//! use autograd_runtime::Rng;
//!
//! let mut rng = Rng::seed_from(42);
//! let x = rng.uniform(-1.0, 1.0);
//! assert!((-1.0..1.0).contains(&x));
//! // The same seed gives the same numbers.
//! assert_eq!(Rng::seed_from(42).uniform(-1.0, 1.0), x);
//! ```

/// One step of SplitMix64: advances `state` and returns the next output.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A seedable pseudo-random number generator (xoshiro256++ seeded by
/// SplitMix64); see the [module documentation](self) for what is
/// reproducible across platforms.
///
/// Cloning a generator copies its state: the clone produces the same
/// numbers as the original from then on.
#[derive(Clone, Debug, PartialEq)]
pub struct Rng {
    state: [u64; 4],
    /// The second value of the last Box–Muller pair, not yet returned.
    spare_normal: Option<f64>,
}

impl Rng {
    /// A generator whose state is the first four outputs of SplitMix64
    /// started at `seed`. Every seed (0 included) gives a valid, distinct
    /// stream.
    ///
    /// ```
    /// use autograd_runtime::Rng;
    ///
    /// let mut a = Rng::seed_from(7);
    /// let mut b = Rng::seed_from(7);
    /// assert_eq!(a.next_u64(), b.next_u64());
    /// assert_ne!(Rng::seed_from(8).next_u64(), Rng::seed_from(7).next_u64());
    /// ```
    pub fn seed_from(seed: u64) -> Rng {
        let mut sm = seed;
        // SplitMix64's output function is a bijection and its states are
        // distinct, so at most one of the four words is zero: the state is
        // never the all-zero state xoshiro must avoid.
        let state = [
            splitmix64(&mut sm),
            splitmix64(&mut sm),
            splitmix64(&mut sm),
            splitmix64(&mut sm),
        ];
        Rng {
            state,
            spare_normal: None,
        }
    }

    /// A generator for stream `stream` of `seed`: for instance one per epoch,
    /// or one per worker. Different streams of the same seed, and the same
    /// stream of different seeds, are unrelated; `derive(seed, stream)` is
    /// always the same generator.
    ///
    /// ```
    /// use autograd_runtime::Rng;
    ///
    /// let epoch0 = Rng::derive(42, 0).next_u64();
    /// let epoch1 = Rng::derive(42, 1).next_u64();
    /// assert_ne!(epoch0, epoch1);
    /// assert_eq!(Rng::derive(42, 1).next_u64(), epoch1);
    /// ```
    pub fn derive(seed: u64, stream: u64) -> Rng {
        // Hash the pair with two rounds of SplitMix64 so that neighbouring
        // seeds and streams give unrelated starting points.
        let mut sm = seed;
        let mut mixed = splitmix64(&mut sm) ^ stream;
        Rng::seed_from(splitmix64(&mut mixed))
    }

    /// The next 64 random bits (one step of xoshiro256++).
    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.state;
        let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// A uniform `f64` in `[0, 1)`: the top 53 bits of
    /// [`next_u64`](Self::next_u64) times 2⁻⁵³, so every multiple of 2⁻⁵³ in
    /// the interval is equally likely.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A uniform `f64` in `[lo, hi)`: `lo + (hi − lo)·u` for
    /// `u = next_f64()`. (Rounding of that expression can give `hi` itself
    /// when `hi − lo` is large compared with `lo`'s precision; `lo == hi`
    /// gives `lo`.)
    ///
    /// # Panics
    /// If `lo > hi` or either bound is not finite.
    ///
    /// ```
    /// use autograd_runtime::Rng;
    ///
    /// let mut rng = Rng::seed_from(1);
    /// let xs: Vec<f64> = (0..1000).map(|_| rng.uniform(2.0, 3.0)).collect();
    /// assert!(xs.iter().all(|x| (2.0..3.0).contains(x)));
    /// ```
    #[track_caller]
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        assert!(
            lo.is_finite() && hi.is_finite() && lo <= hi,
            "uniform: the bounds must be finite with lo <= hi, got lo = {lo}, hi = {hi}"
        );
        lo + (hi - lo) * self.next_f64()
    }

    /// A standard normal sample (mean 0, variance 1), by the Box–Muller
    /// transform: two uniforms give two independent normals, the second of
    /// which is returned by the next call.
    ///
    /// ```
    /// use autograd_runtime::Rng;
    ///
    /// let mut rng = Rng::seed_from(3);
    /// let n = 10_000;
    /// let mean = (0..n).map(|_| rng.normal()).sum::<f64>() / n as f64;
    /// assert!(mean.abs() < 0.05);
    /// ```
    pub fn normal(&mut self) -> f64 {
        if let Some(z) = self.spare_normal.take() {
            return z;
        }
        // u1 in (0, 1], so that ln u1 is finite.
        let u1 = 1.0 - self.next_f64();
        let u2 = self.next_f64();
        let r = (-2.0 * u1.ln()).sqrt();
        let (sin, cos) = (std::f64::consts::TAU * u2).sin_cos();
        self.spare_normal = Some(r * sin);
        r * cos
    }

    /// A uniform integer in `0..n`, without bias (Lemire's multiply-and-reject
    /// method, computed in `u64` on every platform).
    ///
    /// # Panics
    /// If `n` is 0.
    ///
    /// ```
    /// use autograd_runtime::Rng;
    ///
    /// let mut rng = Rng::seed_from(5);
    /// let die: Vec<usize> = (0..100).map(|_| rng.below(6) + 1).collect();
    /// assert!(die.iter().all(|d| (1..=6).contains(d)));
    /// ```
    #[track_caller]
    pub fn below(&mut self, n: usize) -> usize {
        assert!(n > 0, "below: the range 0..n is empty (n = 0)");
        let n = n as u64;
        let mut m = u128::from(self.next_u64()) * u128::from(n);
        // The low word is below 2⁶⁴ mod n for exactly the products that
        // would make some results more likely than others: draw again.
        if (m as u64) < n {
            let threshold = n.wrapping_neg() % n;
            while (m as u64) < threshold {
                m = u128::from(self.next_u64()) * u128::from(n);
            }
        }
        (m >> 64) as usize
    }

    /// Shuffles `items` in place (Fisher–Yates): every permutation is equally
    /// likely.
    ///
    /// ```
    /// use autograd_runtime::Rng;
    ///
    /// let mut v: Vec<u32> = (0..10).collect();
    /// Rng::seed_from(9).shuffle(&mut v);
    /// let mut sorted = v.clone();
    /// sorted.sort();
    /// assert_eq!(sorted, (0..10).collect::<Vec<_>>());
    /// ```
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }

    /// A permutation of `0..n`, uniformly at random.
    ///
    /// ```
    /// use autograd_runtime::Rng;
    ///
    /// let p = Rng::seed_from(0).permutation(5);
    /// let mut sorted = p.clone();
    /// sorted.sort();
    /// assert_eq!(sorted, vec![0, 1, 2, 3, 4]);
    /// ```
    pub fn permutation(&mut self, n: usize) -> Vec<usize> {
        let mut p: Vec<usize> = (0..n).collect();
        self.shuffle(&mut p);
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_state(state: [u64; 4]) -> Rng {
        Rng {
            state,
            spare_normal: None,
        }
    }

    #[test]
    fn splitmix64_reference() {
        // The first output of SplitMix64 from 0 (Java's SplittableRandom(0)).
        let mut s = 0;
        assert_eq!(splitmix64(&mut s), 0xe220_a839_7b1d_cdaf);
    }

    #[test]
    fn xoshiro_reference() {
        // From the reference C implementation (xoshiro256plusplus.c) with
        // state [1, 2, 3, 4]; the first is rotl(1 + 4, 23) + 1 = 5·2²³ + 1.
        let mut rng = with_state([1, 2, 3, 4]);
        let want = [
            41_943_041,
            58_720_359,
            3_588_806_011_781_223,
            3_591_011_842_654_386,
            9_228_616_714_210_784_205,
            9_973_669_472_204_895_162,
        ];
        for w in want {
            assert_eq!(rng.next_u64(), w);
        }
        // Seeded by SplitMix64 from 42, as the C reference does.
        let mut rng = Rng::seed_from(42);
        let want = [
            15_021_278_609_987_233_951,
            5_881_210_131_331_364_753,
            18_149_643_915_985_481_100,
            12_933_668_939_759_105_464,
        ];
        for w in want {
            assert_eq!(rng.next_u64(), w);
        }
    }

    #[test]
    fn deterministic() {
        let draw = |seed| {
            let mut r = Rng::seed_from(seed);
            let mut v: Vec<usize> = (0..20).collect();
            r.shuffle(&mut v);
            (
                r.next_u64(),
                r.uniform(-1.0, 1.0).to_bits(),
                r.normal().to_bits(),
                r.below(1000),
                v,
            )
        };
        assert_eq!(draw(0), draw(0));
        assert_eq!(draw(123), draw(123));
        assert_ne!(draw(0), draw(1));
        // A clone continues the same stream.
        let mut a = Rng::seed_from(5);
        a.normal();
        let mut b = a.clone();
        assert_eq!(a.normal().to_bits(), b.normal().to_bits());
        assert_eq!(a.next_u64(), b.next_u64());
        // Streams of one seed differ, and are reproducible.
        assert_ne!(Rng::derive(1, 0), Rng::derive(1, 1));
        assert_ne!(Rng::derive(0, 1), Rng::derive(1, 0));
        assert_eq!(Rng::derive(1, 7), Rng::derive(1, 7));
    }

    #[test]
    fn uniform_statistics() {
        let mut rng = Rng::seed_from(11);
        let n = 100_000;
        let xs: Vec<f64> = (0..n).map(|_| rng.uniform(-2.0, 4.0)).collect();
        assert!(xs.iter().all(|x| (-2.0..4.0).contains(x)));
        // U(a, b): mean (a + b)/2 = 1, variance (b − a)²/12 = 3; the standard
        // error of the mean is √(3/n) ≈ 0.0055.
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        assert!((mean - 1.0).abs() < 0.03, "mean {mean}");
        assert!((var - 3.0).abs() < 0.06, "variance {var}");
        assert_eq!(rng.uniform(1.5, 1.5), 1.5);
        let mut unit = Rng::seed_from(0);
        assert!((0..1000).all(|_| (0.0..1.0).contains(&unit.next_f64())));
    }

    #[test]
    fn normal_statistics() {
        let mut rng = Rng::seed_from(12);
        let n = 100_000;
        let xs: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
        assert!(xs.iter().all(|x| x.is_finite()));
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        // Standard errors: √(1/n) ≈ 0.003 for the mean, √(2/n) ≈ 0.0045 for
        // the variance.
        assert!(mean.abs() < 0.02, "mean {mean}");
        assert!((var - 1.0).abs() < 0.03, "variance {var}");
        // P(|z| < 1) ≈ 0.6827.
        let within = xs.iter().filter(|x| x.abs() < 1.0).count() as f64 / n as f64;
        assert!((within - 0.6827).abs() < 0.01, "within one sigma {within}");
    }

    #[test]
    fn below_is_in_range_and_unbiased() {
        let mut rng = Rng::seed_from(13);
        assert!((0..1000).all(|_| rng.below(1) == 0));
        let n = 60_000;
        let mut counts = [0usize; 6];
        for _ in 0..n {
            counts[rng.below(6)] += 1;
        }
        // Each face 10 000 ± 5σ (σ ≈ 91).
        for c in counts {
            assert!((c as f64 - 10_000.0).abs() < 500.0, "{counts:?}");
        }
        // A range that is not a power of two and close to 2⁶⁴ still works.
        let big = usize::MAX / 3 * 2;
        assert!((0..100).all(|_| rng.below(big) < big));
    }

    #[test]
    fn shuffle_is_a_uniform_permutation() {
        let mut rng = Rng::seed_from(14);
        let mut empty: [u8; 0] = [];
        rng.shuffle(&mut empty);
        let mut one = [7];
        rng.shuffle(&mut one);
        assert_eq!(one, [7]);
        // All 6 orders of 3 items, each about 1/6 of the time.
        let mut counts = std::collections::HashMap::new();
        let n = 60_000;
        for _ in 0..n {
            let mut v = [0, 1, 2];
            rng.shuffle(&mut v);
            *counts.entry(v).or_insert(0usize) += 1;
        }
        assert_eq!(counts.len(), 6);
        for c in counts.values() {
            assert!((*c as f64 - 10_000.0).abs() < 500.0, "{counts:?}");
        }
        let p = rng.permutation(100);
        let mut sorted = p.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..100).collect::<Vec<_>>());
        assert_ne!(p, sorted);
    }

    #[test]
    #[should_panic(expected = "below: the range 0..n is empty (n = 0)")]
    fn below_zero_panics() {
        Rng::seed_from(0).below(0);
    }

    #[test]
    #[should_panic(
        expected = "uniform: the bounds must be finite with lo <= hi, got lo = 1, hi = 0"
    )]
    fn uniform_reversed_bounds_panics() {
        Rng::seed_from(0).uniform(1.0, 0.0);
    }
}
