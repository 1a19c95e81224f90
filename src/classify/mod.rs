//! Output tensor to labelled classifications: dequantize, smooth over the last frames,
//! threshold, take the top k. Everything is allocated when the [`Classifier`] is built; a frame
//! allocates nothing.

use std::path::PathBuf;

use serde::Serialize;

use crate::engine::TensorSpec;
use crate::model::DType;

mod labels;
pub use labels::{Labels, LabelsProblem};

/// Why labels or a classifier cannot be used.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ClassifyError {
    /// The segments give no output at all.
    #[error("the segments give no output; a score vector needs one")]
    NoOutput,
    /// The labels file cannot be read.
    #[error("{path}: cannot read labels: {reason}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// Its line count fits neither the model's classes nor classes plus a background line.
    #[error(
        "{path}: {lines} labels for a model with {classes} classes (expected {classes}, or \\
         {classes} +/- 1 with a background line)"
    )]
    Count {
        /// The file.
        path: PathBuf,
        /// Labels in it.
        lines: usize,
        /// Model classes.
        classes: usize,
    },
    /// A blank line among the labels would shift every later class by one.
    #[error("{path}: line {line} is blank: every line names one class (remove it)")]
    Blank {
        /// The file.
        path: PathBuf,
        /// The blank line (from 1).
        line: usize,
    },
    /// The same label twice: a rule on it, or a reader of the lines, cannot tell them apart.
    #[error(
        "{path}: line {line}: '{name}' is already the label of line {first}: give each class a \
         distinct name"
    )]
    Duplicate {
        /// The file.
        path: PathBuf,
        /// The repeating line (from 1).
        line: usize,
        /// The line it repeats.
        first: usize,
        /// The label.
        name: String,
    },
    /// A label with a control character (a binary file, a tab inside a name).
    #[error("{path}: line {line}: control character in the label: labels are text")]
    Control {
        /// The file.
        path: PathBuf,
        /// The line (from 1).
        line: usize,
    },
    /// An `index label` line whose index is not one of the model's classes, or repeats.
    #[error("{path}: line {line}: index {index} is {why} (the model has {classes} classes)")]
    Index {
        /// The file.
        path: PathBuf,
        /// The line (from 1).
        line: usize,
        /// The index.
        index: usize,
        /// "out of range" or "given twice".
        why: &'static str,
        /// Model classes.
        classes: usize,
    },
    /// A classifier setting out of range.
    #[error("{name} = {value}: expected {expected}")]
    Setting {
        /// The setting.
        name: &'static str,
        /// Its value.
        value: String,
        /// What is accepted.
        expected: &'static str,
    },
    /// The output tensor is not a score vector.
    #[error("output '{name}' ({dtype} {shape:?}) is not a vector of class scores")]
    NotScores {
        /// Output name.
        name: String,
        /// Its type.
        dtype: DType,
        /// Its shape.
        shape: Vec<usize>,
    },
}

/// One class of a result.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Class {
    /// Output index.
    pub index: usize,
    /// Score (dequantized; a probability for softmax outputs).
    pub score: f32,
}

/// Settings of a classifier.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassifyConfig {
    /// Classes to report (at most 16).
    pub top_k: usize,
    /// Classes scoring below this are not reported.
    pub threshold: f32,
    /// Average scores over the last this many frames (1: no smoothing).
    pub smoothing: usize,
}

/// Largest `smoothing` (frames averaged).
pub const MAX_SMOOTHING: usize = 100;

impl ClassifyConfig {
    /// Refuses settings out of range: top_k 1 to [`MAX_TOP_K`], smoothing 1 to
    /// [`MAX_SMOOTHING`], threshold a number from 0 to 1. Nothing is clamped.
    pub fn check(&self) -> Result<(), ClassifyError> {
        let bad = |name, value: String, expected| {
            Err(ClassifyError::Setting {
                name,
                value,
                expected,
            })
        };
        if !(1..=MAX_TOP_K).contains(&self.top_k) {
            return bad("top_k", self.top_k.to_string(), "1 to 16");
        }
        if !(1..=MAX_SMOOTHING).contains(&self.smoothing) {
            return bad("smoothing", self.smoothing.to_string(), "1 to 100 frames");
        }
        if !(0.0..=1.0).contains(&self.threshold) {
            return bad(
                "threshold",
                self.threshold.to_string(),
                "a score from 0 to 1",
            );
        }
        Ok(())
    }
}

impl Default for ClassifyConfig {
    fn default() -> Self {
        ClassifyConfig {
            top_k: 3,
            threshold: 0.0,
            smoothing: 1,
        }
    }
}

/// The largest top-k a classifier keeps.
pub const MAX_TOP_K: usize = 16;

/// Turns output tensors into top-k classes.
pub struct Classifier {
    config: ClassifyConfig,
    dtype: DType,
    scale: f32,
    zero_point: i64,
    classes: usize,
    /// The last `smoothing` frames' scores, one row each, and their running sum.
    history: Vec<f32>,
    sum: Vec<f32>,
    frames: usize,
    top: [Class; MAX_TOP_K],
    found: usize,
}

impl Classifier {
    /// A classifier for the first of `outputs` (see [`Classifier::new`]).
    pub fn for_first(
        outputs: &[TensorSpec],
        config: ClassifyConfig,
    ) -> Result<Classifier, ClassifyError> {
        Classifier::new(outputs.first().ok_or(ClassifyError::NoOutput)?, config)
    }

    /// A classifier for output `spec` (a `[1, classes]` or `[classes]` vector of uint8, int8
    /// or float32 scores).
    pub fn new(spec: &TensorSpec, config: ClassifyConfig) -> Result<Classifier, ClassifyError> {
        let not_scores = || ClassifyError::NotScores {
            name: spec.name.clone(),
            dtype: spec.dtype,
            shape: spec.shape.clone(),
        };
        let classes = match spec.shape.as_slice() {
            [n] | [1, n] => *n,
            _ => return Err(not_scores()),
        };
        if !matches!(spec.dtype, DType::Uint8 | DType::Int8 | DType::Float32) || classes == 0 {
            return Err(not_scores());
        }
        let (scale, zero_point) = match &spec.quantization {
            Some(q) if q.scale.len() == 1 => {
                (q.scale[0], q.zero_point.first().copied().unwrap_or(0))
            }
            _ => (1.0, 0),
        };
        config.check()?;
        let smoothing = config.smoothing;
        Ok(Classifier {
            config,
            dtype: spec.dtype,
            scale,
            zero_point,
            classes,
            history: vec![0.0; smoothing * classes],
            sum: vec![0.0; classes],
            frames: 0,
            top: [Class {
                index: 0,
                score: 0.0,
            }; MAX_TOP_K],
            found: 0,
        })
    }

    /// Number of classes.
    pub fn classes(&self) -> usize {
        self.classes
    }

    fn score(&self, data: &[u8], i: usize) -> f32 {
        match self.dtype {
            DType::Uint8 => self.scale * (data[i] as i64 - self.zero_point) as f32,
            DType::Int8 => self.scale * (data[i] as i8 as i64 - self.zero_point) as f32,
            _ => f32::from_le_bytes([
                data[4 * i],
                data[4 * i + 1],
                data[4 * i + 2],
                data[4 * i + 3],
            ]),
        }
    }

    /// Classifies one output tensor; returns the top classes above the threshold, best first.
    pub fn classify(&mut self, data: &[u8]) -> &[Class] {
        let n = self.classes;
        if data.len() < n * self.dtype.size() {
            self.found = 0;
            return &self.top[..0];
        }
        let m = self.config.smoothing;
        let row = self.frames % m;
        let kept = (self.frames + 1).min(m) as f32;
        for i in 0..n {
            let s = self.score(data, i);
            let old = std::mem::replace(&mut self.history[row * n + i], s);
            self.sum[i] += s - if self.frames >= m { old } else { 0.0 };
        }
        self.frames += 1;
        // Top k by insertion into a fixed array.
        let k = self.config.top_k;
        self.found = 0;
        for i in 0..n {
            let s = self.sum[i] / kept;
            if s < self.config.threshold || (self.found == k && s <= self.top[k - 1].score) {
                continue;
            }
            let mut at = self.found.min(k - 1);
            while at > 0 && self.top[at - 1].score < s {
                if at < k {
                    self.top[at] = self.top[at - 1];
                }
                at -= 1;
            }
            self.top[at] = Class { index: i, score: s };
            self.found = (self.found + 1).min(k);
        }
        &self.top[..self.found]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Quantization;
    use std::path::Path;

    #[test]
    fn no_output_and_no_input_are_errors_not_panics() {
        let config = ClassifyConfig::default();
        let none = Classifier::for_first(&[], config).err();
        assert!(matches!(none, Some(ClassifyError::NoOutput)), "{none:?}");
        let none = crate::capture::first_image_input(&[]).err();
        assert!(
            matches!(none, Some(crate::capture::ImageError::NoInput)),
            "{none:?}"
        );
    }

    fn spec(dtype: DType, classes: usize, scale: f32, zp: i64) -> TensorSpec {
        let mut s = TensorSpec::new("scores", dtype, &[1, classes]);
        s.quantization = Some(Quantization {
            scale: vec![scale],
            zero_point: vec![zp],
            dimension: 0,
        });
        s
    }

    #[test]
    fn labels_with_and_without_background() {
        let thousand: String = (0..1000).map(|i| format!("class{i}\n")).collect();
        let l = Labels::parse(&thousand, 1000).unwrap();
        assert_eq!(
            (l.len(), l.name(0), l.name(999)),
            (1000, "class0", "class999")
        );
        let with_bg = format!("background\n{thousand}");
        let l = Labels::parse(&with_bg, 1000).unwrap();
        assert_eq!(
            l.name(0),
            "class0",
            "the background line is dropped for a 1000-class model"
        );
        let l = Labels::parse(&thousand, 1001).unwrap();
        assert_eq!(
            (l.name(0), l.name(1)),
            ("background", "class0"),
            "a 1001-class model's class 0 is background"
        );
        assert_eq!(
            Labels::parse(&thousand, 90),
            Err(LabelsProblem::Count(1000))
        );
        let coco = "0  person\n1  bicycle\n2  car\n";
        let l = Labels::parse(coco, 90).unwrap();
        assert_eq!((l.name(0), l.name(2), l.name(50)), ("person", "car", ""));
    }

    #[test]
    fn blank_repeated_and_binary_labels_are_refused_naming_the_line() {
        let names = |n: usize| (0..n).map(|i| format!("class{i}")).collect::<Vec<_>>();
        let mut blank = names(10);
        blank[4] = String::new();
        assert_eq!(
            Labels::parse(&(blank.join("\n") + "\n\n\n"), 10),
            Err(LabelsProblem::Blank(5)),
            "a blank line in the middle would shift classes 5 to 9"
        );
        assert!(
            Labels::parse(&(names(10).join("\n") + "\n\n\n"), 10).is_ok(),
            "trailing blank lines shift nothing"
        );
        let mut repeat = names(10);
        repeat[7] = "class2".into();
        assert_eq!(
            Labels::parse(&repeat.join("\n"), 10),
            Err(LabelsProblem::Duplicate {
                line: 8,
                first: 3,
                name: "class2".into()
            })
        );
        // With a background line dropped, line numbers are still the file's.
        let mut with_bg = vec!["background".to_string()];
        with_bg.extend(repeat);
        assert!(matches!(
            Labels::parse(&with_bg.join("\n"), 10),
            Err(LabelsProblem::Duplicate {
                line: 9,
                first: 4,
                ..
            })
        ));
        assert_eq!(
            Labels::parse("a\nb\u{0}c\n", 2),
            Err(LabelsProblem::Control(2))
        );
        assert_eq!(
            Labels::parse("0 cat\n5 dog\n", 3),
            Err(LabelsProblem::Index(2, 5, "out of range"))
        );
        assert_eq!(
            Labels::parse("0 cat\n0 dog\n", 3),
            Err(LabelsProblem::Index(2, 0, "given twice"))
        );
        assert_eq!(Labels::parse("", 3), Err(LabelsProblem::Count(0)));
        let e = Labels::parse("a\n\nb\n", 3)
            .map_err(|p| p.at(Path::new("labels.txt"), 3))
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "labels.txt: line 2 is blank: every line names one class (remove it)"
        );
    }

    #[test]
    fn settings_out_of_range_are_refused_not_clamped() {
        let s = spec(DType::Uint8, 4, 1.0, 0);
        for bad in [
            ClassifyConfig {
                top_k: 0,
                ..Default::default()
            },
            ClassifyConfig {
                top_k: 17,
                ..Default::default()
            },
            ClassifyConfig {
                smoothing: 0,
                ..Default::default()
            },
            ClassifyConfig {
                threshold: f32::NAN,
                ..Default::default()
            },
            ClassifyConfig {
                threshold: 2.0,
                ..Default::default()
            },
            ClassifyConfig {
                threshold: -0.1,
                ..Default::default()
            },
        ] {
            assert!(
                matches!(
                    Classifier::new(&s, bad.clone()),
                    Err(ClassifyError::Setting { .. })
                ),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn top_k_of_quantized_and_float_scores() {
        let mut c = Classifier::new(
            &spec(DType::Uint8, 6, 0.5, 10),
            ClassifyConfig {
                top_k: 3,
                threshold: 0.0,
                smoothing: 1,
            },
        )
        .unwrap();
        let top = c.classify(&[10, 50, 20, 90, 30, 40]).to_vec();
        assert_eq!(
            top.iter().map(|c| c.index).collect::<Vec<_>>(),
            vec![3, 1, 5]
        );
        assert_eq!(top[0].score, 40.0, "0.5 * (90 - 10)");
        let mut c = Classifier::new(
            &spec(DType::Int8, 4, 1.0 / 256.0, -128),
            ClassifyConfig {
                top_k: 3,
                threshold: 0.45,
                smoothing: 1,
            },
        )
        .unwrap();
        let top = c
            .classify(&[(-28i8) as u8, 127, 0, (-128i8) as u8])
            .to_vec();
        assert_eq!(
            top.iter().map(|c| (c.index, c.score)).collect::<Vec<_>>(),
            vec![(1, 255.0 / 256.0), (2, 0.5)],
            "threshold 0.45 drops 100/256 and 0 (scores (q + 128) / 256)"
        );
        let floats: Vec<u8> = [0.1f32, 0.7, 0.2]
            .iter()
            .flat_map(|f| f.to_le_bytes())
            .collect();
        let mut c = Classifier::new(
            &TensorSpec::new("p", DType::Float32, &[3]),
            ClassifyConfig::default(),
        )
        .unwrap();
        assert_eq!(
            c.classify(&floats)[0],
            Class {
                index: 1,
                score: 0.7
            }
        );
    }

    #[test]
    fn smoothing_stops_a_flickering_top_1() {
        let s = spec(DType::Uint8, 2, 1.0, 0);
        let mut raw = Classifier::new(
            &s,
            ClassifyConfig {
                top_k: 1,
                threshold: 0.0,
                smoothing: 1,
            },
        )
        .unwrap();
        let mut smooth = Classifier::new(
            &s,
            ClassifyConfig {
                top_k: 1,
                threshold: 0.0,
                smoothing: 4,
            },
        )
        .unwrap();
        // Class 0 is usually ahead; every third frame class 1 spikes a little above it.
        let frames: Vec<[u8; 2]> = (0..30)
            .map(|i| if i % 3 == 2 { [100, 110] } else { [100, 60] })
            .collect();
        let flips = |c: &mut Classifier| {
            let tops: Vec<usize> = frames.iter().map(|f| c.classify(f)[0].index).collect();
            tops.windows(2).filter(|w| w[0] != w[1]).count()
        };
        assert!(flips(&mut raw) >= 15, "unsmoothed, top-1 flickers");
        assert_eq!(
            flips(&mut smooth),
            0,
            "averaged over 4 frames, class 0 stays on top"
        );
    }

    #[test]
    fn non_vectors_are_refused() {
        let e = Classifier::new(
            &TensorSpec::new("boxes", DType::Float32, &[1, 10, 4]),
            ClassifyConfig::default(),
        )
        .err()
        .unwrap();
        assert!(e.to_string().contains("'boxes'"), "{e}");
    }
}
