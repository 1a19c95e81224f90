//! The labels file: one class name per line, checked against the model's classes (count,
//! blank and duplicate lines, an optional background line) before a classifier uses it.

use std::path::Path;

use super::ClassifyError;

/// What [`Labels::parse`] found wrong, before the file's name is known.
#[derive(Debug, Clone, PartialEq)]
pub enum LabelsProblem {
    /// The number of labels fits neither the classes nor classes +/- a background line.
    Count(usize),
    /// This line (from 1) is blank.
    Blank(usize),
    /// This line holds a control character.
    Control(usize),
    /// Line, index, why.
    Index(usize, usize, &'static str),
    /// A repeated label.
    Duplicate {
        /// The repeating line.
        line: usize,
        /// The line it repeats.
        first: usize,
        /// The label.
        name: String,
    },
}

impl LabelsProblem {
    pub(super) fn at(self, path: &Path, classes: usize) -> ClassifyError {
        let path = path.to_path_buf();
        match self {
            LabelsProblem::Count(lines) => ClassifyError::Count {
                path,
                lines,
                classes,
            },
            LabelsProblem::Blank(line) => ClassifyError::Blank { path, line },
            LabelsProblem::Control(line) => ClassifyError::Control { path, line },
            LabelsProblem::Index(line, index, why) => ClassifyError::Index {
                path,
                line,
                index,
                why,
                classes,
            },
            LabelsProblem::Duplicate { line, first, name } => ClassifyError::Duplicate {
                path,
                line,
                first,
                name,
            },
        }
    }
}

/// Class names, aligned with the model's output indices.
#[derive(Debug, Clone, PartialEq)]
pub struct Labels {
    names: Vec<String>,
}

impl Labels {
    /// Reads a labels file for a model with `classes` outputs: one label per line, or
    /// `index label` lines. A file with one line more than the classes drops its first
    /// (background) line; one line fewer means the model's class 0 is background (Coral's
    /// 1001-class models with a 1000-line file). Blank lines (but trailing ones), repeated
    /// labels, control characters and indices outside the classes are refused, naming the line.
    pub fn load(path: &Path, classes: usize) -> Result<Labels, ClassifyError> {
        // Bounded, and only a regular file: `/dev/zero` is refused, not read until memory runs out.
        let text = crate::fsutil::read_text(path, crate::fsutil::MAX_TEXT_BYTES).map_err(|e| {
            ClassifyError::Read {
                path: path.to_path_buf(),
                reason: e.to_string(),
            }
        })?;
        Labels::parse(&text, classes).map_err(|e| e.at(path, classes))
    }

    /// Parses labels text for a model with `classes` outputs.
    pub fn parse(text: &str, classes: usize) -> Result<Labels, LabelsProblem> {
        let lines: Vec<&str> = text.lines().map(str::trim).collect();
        let used = lines.len() - lines.iter().rev().take_while(|l| l.is_empty()).count();
        let lines = &lines[..used];
        if let Some(i) = lines.iter().position(|l| l.is_empty()) {
            return Err(LabelsProblem::Blank(i + 1));
        }
        if let Some(i) = lines.iter().position(|l| l.chars().any(char::is_control)) {
            return Err(LabelsProblem::Control(i + 1));
        }
        let indexed: Option<Vec<(usize, &str)>> = lines
            .iter()
            .map(|l| {
                let (i, name) = l.split_once(char::is_whitespace)?;
                Some((i.parse().ok()?, name.trim()))
            })
            .collect();
        // Each class's name and the line (from 1) that gave it (0: none, or added).
        let named: Vec<(String, usize)> = match indexed {
            Some(pairs) if !pairs.is_empty() => {
                let mut named = vec![(String::new(), 0); classes];
                for (line, (i, name)) in pairs.into_iter().enumerate() {
                    match named.get_mut(i) {
                        None => return Err(LabelsProblem::Index(line + 1, i, "out of range")),
                        Some((_, l)) if *l != 0 => {
                            return Err(LabelsProblem::Index(line + 1, i, "given twice"));
                        }
                        Some(n) => *n = (name.to_string(), line + 1),
                    }
                }
                named
            }
            _ => {
                let numbered = lines
                    .iter()
                    .enumerate()
                    .map(|(i, l)| (l.to_string(), i + 1));
                match lines.len() {
                    n if n == classes => numbered.collect(),
                    n if n == classes + 1 => numbered.skip(1).collect(),
                    n if n + 1 == classes => std::iter::once(("background".to_string(), 0))
                        .chain(numbered)
                        .collect(),
                    n => return Err(LabelsProblem::Count(n)),
                }
            }
        };
        let mut seen: std::collections::HashMap<&str, usize> = Default::default();
        for (name, line) in named.iter().filter(|(n, _)| !n.is_empty()) {
            if let Some(&first) = seen.get(name.as_str()) {
                return Err(LabelsProblem::Duplicate {
                    line: *line,
                    first,
                    name: name.clone(),
                });
            }
            seen.insert(name, *line);
        }
        Ok(Labels {
            names: named.into_iter().map(|(n, _)| n).collect(),
        })
    }

    /// The class of label `name`, if it is one.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// The label of class `i` ("" when unknown).
    pub fn name(&self, i: usize) -> &str {
        self.names.get(i).map_or("", String::as_str)
    }

    /// Number of labels.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}
