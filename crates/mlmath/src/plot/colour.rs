//! The colours of the course's pictures, chosen so that a reader who does
//! not tell red from green reads them as well as anyone.
//!
//! - Series and classes take the eight colours of Okabe and Ito's palette
//!   ([`PALETTE`]), in an order that keeps the first four far apart for the
//!   two common colour-vision deficiencies, deuteranopia and protanopia.
//! - Heatmaps follow viridis ([`viridis`]): dark to light, its lightness
//!   rising steadily, so that the order of the values is read from
//!   lightness alone, in grey print and by every kind of colour vision.
//! - Signed values (weights, filters) fade from blue through white to
//!   vermillion ([`diverging`]), two palette colours that stay apart for
//!   every kind of colour vision.
//!
//! The tests below check these claims: they simulate the deficiencies with
//! the matrices of Machado, Oliveira and Fernandes (2009) and measure
//! distances between colours in CIELAB, where a Euclidean distance (ΔE)
//! of about 2.3 is the smallest difference a person notices.

use plotters::style::RGBColor;

/// The palette of Okabe and Ito, *Color Universal Design (CUD): how to make
/// figures and presentations that are friendly to colorblind people*
/// (2008, <https://jfly.uni-koeln.de/color/>): eight colours that stay
/// distinct for colour-blind readers. Series take them in turn, and class
/// `i` of a scatter or of decision regions is drawn in `PALETTE[i % 8]`.
///
/// The order: blue, orange, bluish green and black first, the four whose
/// every pair stays far apart under simulated deuteranopia and protanopia
/// (orange beside vermillion, or sky blue beside blue, would not); then sky
/// blue, vermillion and reddish purple; yellow last, since it is the palest
/// on a white background. Where colour alone could still be confused, each
/// series also has a marker or a dash of its own ([`MARKERS`](super::MARKERS)).
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(0x00, 0x72, 0xB2), // blue
    RGBColor(0xE6, 0x9F, 0x00), // orange
    RGBColor(0x00, 0x9E, 0x73), // bluish green
    RGBColor(0x00, 0x00, 0x00), // black
    RGBColor(0x56, 0xB4, 0xE9), // sky blue
    RGBColor(0xD5, 0x5E, 0x00), // vermillion
    RGBColor(0xCC, 0x79, 0xA7), // reddish purple
    RGBColor(0xF0, 0xE4, 0x42), // yellow
];

/// The names of the [`PALETTE`]'s colours, in its order (for the text
/// description of a picture).
pub const PALETTE_NAMES: [&str; 8] = [
    "blue",
    "orange",
    "bluish green",
    "black",
    "sky blue",
    "vermillion",
    "reddish purple",
    "yellow",
];

/// The name of a colour of the [`PALETTE`], or "grey" for another.
pub(super) fn colour_name(color: RGBColor) -> &'static str {
    PALETTE
        .iter()
        .position(|&c| c == color)
        .map_or("grey", |i| PALETTE_NAMES[i])
}

/// The colour of a missing (NaN or infinite) cell of a heatmap or pixel of
/// an image: magenta, which no colour map here contains, and which stays
/// far from every colour of [`viridis`], of [`diverging`] and of the grey
/// scale for every kind of colour vision.
pub const MISSING: RGBColor = RGBColor(255, 0, 255);

/// The viridis colour map at `t ∈ [0, 1]`, dark purple through blue and
/// green to yellow: linear interpolation between nine of its colours, at
/// `t = 0, 1/8, …, 1` (entries 0, 32, …, 255 of the 256-colour table that
/// Stéfan van der Walt and Nathaniel Smith designed for matplotlib 2.0,
/// *A better default colormap for matplotlib*, SciPy 2015; the table is in
/// matplotlib's `_cm_listed.py`). Viridis was built so that its lightness
/// rises evenly from end to end, for normal vision and for deuteranopia,
/// protanopia and tritanopia alike. `t` outside [0, 1] is clamped, and NaN
/// gives the low end.
pub fn viridis(t: f64) -> RGBColor {
    const ANCHORS: [(u8, u8, u8); 9] = [
        (68, 1, 84),
        (71, 44, 122),
        (59, 81, 139),
        (44, 113, 142),
        (33, 144, 141),
        (39, 173, 129),
        (92, 200, 99),
        (170, 220, 50),
        (253, 231, 37),
    ];
    let t = if t.is_nan() { 0.0 } else { t.clamp(0.0, 1.0) };
    let x = t * (ANCHORS.len() - 1) as f64;
    let i = (x.floor() as usize).min(ANCHORS.len() - 2);
    let f = x - i as f64;
    let mix = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * f).round() as u8;
    let (a, b) = (ANCHORS[i], ANCHORS[i + 1]);
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// A diverging map at `t ∈ [−1, 1]` for signed values: white at 0, fading
/// to the palette's blue at −1 and to its vermillion at +1 (straight lines
/// in sRGB from white). The sign is read from the hue, blue or vermillion,
/// which every kind of colour vision tells apart; the size from how far
/// the colour is from white. `t` outside [−1, 1] is clamped, NaN gives white.
pub fn diverging(t: f64) -> RGBColor {
    let t = if t.is_nan() { 0.0 } else { t.clamp(-1.0, 1.0) };
    let end = if t < 0.0 { PALETTE[0] } else { PALETTE[5] };
    let fade = |c: u8| (255.0 + (f64::from(c) - 255.0) * t.abs()).round() as u8;
    RGBColor(fade(end.0), fade(end.1), fade(end.2))
}

#[cfg(test)]
pub(super) mod vision {
    //! Colour vision, simulated: sRGB to CIELAB, and the deficiencies.

    use plotters::style::RGBColor;

    /// A colour-vision deficiency, as the matrix that maps linear RGB seen
    /// normally to linear RGB seen with it: Machado, Oliveira and
    /// Fernandes, *A physiologically-based model for simulation of color
    /// vision deficiency*, IEEE TVCG 15(6), 2009, table 1 at severity 1.0.
    pub type Deficiency = [[f64; 3]; 3];

    pub const NORMAL: Deficiency = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];
    pub const PROTANOPIA: Deficiency = [
        [0.152286, 1.052583, -0.204868],
        [0.114503, 0.786281, 0.099216],
        [-0.003882, -0.048116, 1.051998],
    ];
    pub const DEUTERANOPIA: Deficiency = [
        [0.367322, 0.860646, -0.227968],
        [0.280085, 0.672501, 0.047413],
        [-0.011820, 0.042940, 0.968881],
    ];
    pub const TRITANOPIA: Deficiency = [
        [1.255528, -0.076749, -0.178779],
        [-0.078411, 0.930809, 0.147602],
        [0.004733, 0.691367, 0.303900],
    ];

    /// An sRGB channel (0 to 255) as linear light (IEC 61966-2-1).
    fn linear(c: u8) -> f64 {
        let c = f64::from(c) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    }

    /// The CIELAB coordinates (L*, a*, b*) of `color` as seen with
    /// `deficiency`: sRGB made linear, the deficiency's matrix applied (and
    /// the result kept in [0, 1]), then the sRGB primaries' XYZ under D65,
    /// and CIE 1976 L*a*b* relative to the D65 white.
    pub fn lab(color: RGBColor, deficiency: &Deficiency) -> [f64; 3] {
        let rgb = [linear(color.0), linear(color.1), linear(color.2)];
        let seen: Vec<f64> = deficiency
            .iter()
            .map(|row| (0..3).map(|j| row[j] * rgb[j]).sum::<f64>().clamp(0.0, 1.0))
            .collect();
        let xyz = [
            [0.4124, 0.3576, 0.1805],
            [0.2126, 0.7152, 0.0722],
            [0.0193, 0.1192, 0.9505],
        ]
        .map(|row| (0..3).map(|j| row[j] * seen[j]).sum::<f64>());
        let white = [0.95047, 1.0, 1.08883];
        let delta: f64 = 6.0 / 29.0;
        let f = |t: f64| {
            if t > delta.powi(3) {
                t.cbrt()
            } else {
                t / (3.0 * delta * delta) + 4.0 / 29.0
            }
        };
        let [fx, fy, fz] = [0, 1, 2].map(|k| f(xyz[k] / white[k]));
        [116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)]
    }

    /// ΔE*ab (CIE 1976): the Euclidean distance between two colours in
    /// CIELAB, both seen with `deficiency`.
    pub fn delta_e(a: RGBColor, b: RGBColor, deficiency: &Deficiency) -> f64 {
        let (p, q) = (lab(a, deficiency), lab(b, deficiency));
        (0..3).map(|k| (p[k] - q[k]).powi(2)).sum::<f64>().sqrt()
    }
}

#[cfg(test)]
mod tests {
    use super::vision::*;
    use super::*;

    #[test]
    fn the_palette_is_okabe_and_itos_in_the_chosen_order() {
        // The colours as Okabe and Ito (2008) publish them, in hex.
        let published = [
            ("blue", "#0072B2"),
            ("orange", "#E69F00"),
            ("bluish green", "#009E73"),
            ("black", "#000000"),
            ("sky blue", "#56B4E9"),
            ("vermillion", "#D55E00"),
            ("reddish purple", "#CC79A7"),
            ("yellow", "#F0E442"),
        ];
        for (k, (name, hex)) in published.iter().enumerate() {
            let c = PALETTE[k];
            assert_eq!(
                format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2),
                *hex,
                "{name}"
            );
            assert_eq!(PALETTE_NAMES[k], *name);
            assert_eq!(colour_name(c), *name);
        }
        assert_eq!(colour_name(RGBColor(150, 150, 150)), "grey");
    }

    #[test]
    fn the_first_four_colours_stay_apart_for_colour_blind_readers() {
        // Every pair of the first four, seen with deuteranopia or
        // protanopia, is at least ΔE 40 apart (orange and vermillion, side
        // by side in the published order, come within 19 of each other
        // under deuteranopia); and every pair of all eight at least 15.
        let deficiencies = [
            ("normal vision", NORMAL),
            ("deuteranopia", DEUTERANOPIA),
            ("protanopia", PROTANOPIA),
        ];
        let closest = |n: usize, which: &[(&str, Deficiency)]| {
            let mut closest = (f64::INFINITY, String::new());
            for i in 0..n {
                for j in i + 1..n {
                    for (name, d) in which {
                        let e = delta_e(PALETTE[i], PALETTE[j], d);
                        if e < closest.0 {
                            let pair = (PALETTE_NAMES[i], PALETTE_NAMES[j]);
                            closest = (e, format!("{pair:?} under {name}"));
                        }
                    }
                }
            }
            closest
        };
        let (first_four, pair) = closest(4, &deficiencies);
        assert!(first_four >= 40.0, "ΔE {first_four:.1} for {pair}");
        let (all, pair) = closest(8, &deficiencies);
        assert!(all >= 15.0, "ΔE {all:.1} for {pair}");
        // The check can fail: swapped into fourth place, vermillion sits
        // too close to orange.
        let swapped = delta_e(PALETTE[1], PALETTE[5], &DEUTERANOPIA);
        assert!(swapped < 40.0, "{swapped}");
        // Yellow is last: the palest of all on white.
        let lightness = |c: RGBColor| lab(c, &NORMAL)[0];
        let palest = (0..8)
            .max_by(|&a, &b| lightness(PALETTE[a]).total_cmp(&lightness(PALETTE[b])))
            .unwrap();
        assert_eq!(palest, 7);
    }

    #[test]
    fn colour_science_matches_known_values() {
        // White is L* = 100 (a*, b* = 0), black L* = 0; sRGB's green
        // (0, 255, 0) is L* 87.7, a* −86.2, b* 83.2 (Lindbloom's calculator,
        // D65, to 0.1 within the rounding of the matrix).
        let white = lab(RGBColor(255, 255, 255), &NORMAL);
        assert!((white[0] - 100.0).abs() < 0.01 && white[1].abs() < 0.1 && white[2].abs() < 0.1);
        assert!(lab(RGBColor(0, 0, 0), &NORMAL)[0].abs() < 1e-9);
        let green = lab(RGBColor(0, 255, 0), &NORMAL);
        for (got, expected) in green.iter().zip([87.7, -86.2, 83.2]) {
            assert!((got - expected).abs() < 0.3, "{green:?}");
        }
        // Each deficiency's matrix keeps white white (its rows sum to 1),
        // and deuteranopia makes pure red and pure green far more alike.
        for d in [PROTANOPIA, DEUTERANOPIA, TRITANOPIA] {
            for row in d {
                assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-5, "{row:?}");
            }
        }
        let (red, green) = (RGBColor(255, 0, 0), RGBColor(0, 255, 0));
        assert!(delta_e(red, green, &DEUTERANOPIA) < 0.5 * delta_e(red, green, &NORMAL));
    }

    /// L* along a colour map, seen with `deficiency`, at 101 points of `ts`.
    fn lightness_along(map: impl Fn(f64) -> RGBColor, ts: &[f64], d: &Deficiency) -> Vec<f64> {
        ts.iter().map(|&t| lab(map(t), d)[0]).collect()
    }

    #[test]
    fn viridis_is_ordered_by_lightness_for_every_colour_vision() {
        assert_eq!(viridis(0.0), RGBColor(68, 1, 84));
        assert_eq!(viridis(1.0), RGBColor(253, 231, 37));
        assert_eq!(viridis(f64::NAN), viridis(0.0));
        assert_eq!(viridis(f64::INFINITY), viridis(1.0));
        let ts: Vec<f64> = (0..=100).map(|k| f64::from(k) / 100.0).collect();
        for d in [NORMAL, DEUTERANOPIA, PROTANOPIA, TRITANOPIA] {
            let l = lightness_along(viridis, &ts, &d);
            // Rising at every step (beyond the rounding to 8-bit colours),
            // over a range of more than 60 L* units.
            for (k, w) in l.windows(2).enumerate() {
                assert!(w[1] > w[0] - 0.3, "L* falls at t = {}: {w:?}", ts[k]);
            }
            assert!(l[100] - l[0] > 60.0, "{} to {}", l[0], l[100]);
        }
        // A map that is not ordered fails the check: a rainbow (red,
        // yellow, green, blue) grows lighter up to yellow, then darker.
        let rainbow = |t: f64| {
            let hue = [(255, 0, 0), (255, 255, 0), (0, 255, 0), (0, 0, 255)];
            let (r, g, b) = hue[((t * 3.0).round() as usize).min(3)];
            RGBColor(r, g, b)
        };
        let l = lightness_along(rainbow, &ts, &NORMAL);
        assert!(l.windows(2).any(|w| w[1] < w[0] - 0.3));
    }

    #[test]
    fn a_missing_value_stands_out_of_every_colour_map() {
        let greys = (0..=255).map(|g| RGBColor(g, g, g));
        let maps = (0..=100).flat_map(|k| {
            let t = f64::from(k) / 100.0;
            [viridis(t), diverging(t), diverging(-t)]
        });
        let all: Vec<RGBColor> = greys.chain(maps).collect();
        for d in [NORMAL, DEUTERANOPIA, PROTANOPIA, TRITANOPIA] {
            let nearest = all
                .iter()
                .map(|&c| delta_e(MISSING, c, &d))
                .fold(f64::INFINITY, f64::min);
            assert!(nearest > 15.0, "ΔE {nearest}");
        }
        // A mid grey would not do: it is close to viridis's middle for a
        // deuteranope.
        let grey = RGBColor(128, 128, 128);
        let nearest = (0..=100)
            .map(|k| delta_e(grey, viridis(f64::from(k) / 100.0), &DEUTERANOPIA))
            .fold(f64::INFINITY, f64::min);
        assert!(nearest < 15.0, "{nearest}");
    }

    #[test]
    fn the_diverging_map_tells_the_sign_apart_for_every_colour_vision() {
        assert_eq!(diverging(0.0), RGBColor(255, 255, 255));
        assert_eq!(diverging(-1.0), PALETTE[0]);
        assert_eq!(diverging(1.0), PALETTE[5]);
        assert_eq!(diverging(f64::NAN), diverging(0.0));
        let ts: Vec<f64> = (0..=50).map(|k| f64::from(k) / 50.0).collect();
        for d in [NORMAL, DEUTERANOPIA, PROTANOPIA, TRITANOPIA] {
            // Darker the farther from 0, on either side.
            for side in [-1.0, 1.0] {
                let l = lightness_along(|t| diverging(side * t), &ts, &d);
                assert!(l.windows(2).all(|w| w[1] < w[0] + 0.3), "{l:?}");
            }
            // +t and −t differ clearly from |t| = 0.5 on.
            for &t in ts.iter().filter(|&&t| t >= 0.5) {
                let e = delta_e(diverging(t), diverging(-t), &d);
                assert!(e > 20.0, "ΔE {e} at ±{t}");
            }
        }
    }
}
