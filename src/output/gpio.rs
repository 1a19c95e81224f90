//! Classifications out on GPIO lines, through the Linux GPIO character device (the `gpiocdev`
//! crate: uAPI v2, falling back to v1 on kernels that lack it, such as the board's 4.14).
//!
//! Lines are named by Dev Board header pin (`pin = 13`), or by chip (label, name or path) and
//! line (name or offset), or by line name alone. Values are logical: *active* is high, or low
//! for an `active_low` line (the kernel inverts). Rules:
//! - a label rule makes its line active while one of its labels is the top-1 above a
//!   threshold, with hysteresis: on after `on_after` consecutive hits, off after `off_after`
//!   consecutive misses, so relays don't chatter;
//! - a heartbeat line toggles on every frame;
//! - a fault line is active while the camera or a TPU is failing.
//!
//! Rule and fault lines log each switch (info); the heartbeat does not. With `simulate = true`
//! no chip is touched and those logs are the only output: the demo's GPIO on machines
//! without the board's header.
//!
//! Every line is driven inactive (its safe state) when requested at start and again before it
//! is released on shutdown. If the process dies, the kernel releases the lines and they keep
//! their last value (the kernel does not reset them): put the safe state in hardware too
//! (pull resistors) where a stuck output matters.

use std::path::PathBuf;

use gpiocdev::line::Value;
use gpiocdev::request::Request;
use serde::Deserialize;

/// Which line: a header pin, or a chip and a line, or a line name anywhere.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct LineSpec {
    /// A Coral Dev Board 40-pin header pin number.
    #[serde(default)]
    pub pin: Option<u32>,
    /// Chip: its label, its name (gpiochip0) or its path (/dev/gpiochip0).
    #[serde(default)]
    pub chip: Option<String>,
    /// Line: its name, or its offset on the chip.
    #[serde(default)]
    pub line: Option<LineId>,
    /// Active when low.
    #[serde(default)]
    pub active_low: bool,
}

/// A line by name or offset.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum LineId {
    /// Offset on the chip.
    Offset(u32),
    /// Line name.
    Name(String),
}

/// A label rule.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// The line.
    #[serde(flatten)]
    pub line: LineSpec,
    /// Labels that make the line active when top-1.
    pub labels: Vec<String>,
    /// Minimum top-1 score.
    #[serde(default)]
    pub threshold: f32,
    /// Consecutive hits before switching on.
    #[serde(default = "one")]
    pub on_after: u32,
    /// Consecutive misses before switching off.
    #[serde(default = "one")]
    pub off_after: u32,
}

fn one() -> u32 {
    1
}

/// The GPIO outputs.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct GpioConfig {
    /// Label rules.
    #[serde(default)]
    pub rules: Vec<RuleSpec>,
    /// Toggles every frame.
    #[serde(default)]
    pub heartbeat: Option<LineSpec>,
    /// Active while the camera or a TPU is failing.
    #[serde(default)]
    pub fault: Option<LineSpec>,
    /// Log the lines' switches instead of driving them.
    #[serde(default)]
    pub simulate: bool,
}

/// Why a line cannot be used.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum GpioError {
    /// The spec names nothing.
    #[error("GPIO line {0}: give a header pin, or a line (name or offset) with its chip")]
    Incomplete(String),
    /// Unknown header pin.
    #[error(
        "header pin {0} is not a GPIO of the Coral Dev Board (GPIO pins: 13, 16, 18, 22, 29, 31, 36, 37)"
    )]
    Pin(u32),
    /// No such chip.
    #[error("no GPIO chip '{0}'")]
    NoChip(String),
    /// No such line.
    #[error("no GPIO line '{line}'{}", chip.as_ref().map(|c| format!(" on chip '{c}'")).unwrap_or_default())]
    NoLine {
        /// The line.
        line: String,
        /// The chip, when given.
        chip: Option<String>,
    },
    /// The kernel refused the request (busy, permission).
    #[error("cannot request GPIO line {line} on {chip}: {reason}")]
    Request {
        /// The line.
        line: String,
        /// The chip.
        chip: String,
        /// Why (e.g. busy: held by another consumer).
        reason: String,
    },
    /// Setting a value failed.
    #[error("cannot set GPIO line {line}: {reason}")]
    Set {
        /// The line.
        line: String,
        /// Why.
        reason: String,
    },
}

/// Dev Board 40-pin header GPIO pins: (pin, chip path, line). Reconstructed from Adafruit
/// Blinka's Coral board files and the meta-coral device-tree patch (see board/README.md).
pub const DEV_BOARD_PINS: [(u32, &str, u32); 8] = [
    (13, "/dev/gpiochip0", 6),
    (16, "/dev/gpiochip2", 9),
    (18, "/dev/gpiochip4", 10),
    (22, "/dev/gpiochip4", 12),
    (29, "/dev/gpiochip0", 7),
    (31, "/dev/gpiochip0", 8),
    (36, "/dev/gpiochip4", 13),
    (37, "/dev/gpiochip2", 13),
];

fn describe(spec: &LineSpec) -> String {
    match (&spec.pin, &spec.chip, &spec.line) {
        (Some(p), _, _) => format!("pin {p}"),
        (None, c, Some(LineId::Name(n))) => format!(
            "{}{n}",
            c.as_ref().map(|c| format!("{c}:")).unwrap_or_default()
        ),
        (None, c, Some(LineId::Offset(o))) => format!(
            "{}{o}",
            c.as_ref().map(|c| format!("{c}:")).unwrap_or_default()
        ),
        (None, _, None) => "(unnamed)".into(),
    }
}

fn find_chip(chip: &str) -> Result<PathBuf, GpioError> {
    if chip.starts_with('/') {
        return Ok(PathBuf::from(chip));
    }
    for path in gpiocdev::chip::chips().unwrap_or_default() {
        let Ok(c) = gpiocdev::chip::Chip::from_path(&path) else {
            continue;
        };
        let Ok(info) = c.info() else { continue };
        if info.label == chip || info.name == chip {
            return Ok(path);
        }
    }
    Err(GpioError::NoChip(chip.into()))
}

/// Resolves a spec to (chip path, offset).
pub fn resolve(spec: &LineSpec) -> Result<(PathBuf, u32), GpioError> {
    if let Some(pin) = spec.pin {
        return DEV_BOARD_PINS
            .iter()
            .find(|(p, _, _)| *p == pin)
            .map(|(_, chip, line)| (PathBuf::from(chip), *line))
            .ok_or(GpioError::Pin(pin));
    }
    match (&spec.chip, &spec.line) {
        (Some(chip), Some(LineId::Offset(o))) => Ok((find_chip(chip)?, *o)),
        (Some(chip), Some(LineId::Name(name))) => {
            let path = find_chip(chip)?;
            let c = gpiocdev::chip::Chip::from_path(&path)
                .map_err(|_| GpioError::NoChip(chip.clone()))?;
            let lines = c.info().map(|i| i.num_lines).unwrap_or(0);
            (0..lines)
                .find(|&o| c.line_info(o).is_ok_and(|li| li.name == *name))
                .map(|o| (path, o))
                .ok_or(GpioError::NoLine {
                    line: name.clone(),
                    chip: Some(chip.clone()),
                })
        }
        (None, Some(LineId::Name(name))) => gpiocdev::find_named_line(name)
            .map(|f| (f.chip, f.info.offset))
            .ok_or(GpioError::NoLine {
                line: name.clone(),
                chip: None,
            }),
        _ => Err(GpioError::Incomplete(describe(spec))),
    }
}

/// One output line: requested from the kernel, or simulated (`request` is None).
struct Output {
    request: Option<Request>,
    offset: u32,
    name: String,
    active: bool,
    /// Log each switch (not for the heartbeat, which switches every frame).
    logged: bool,
}

impl Output {
    /// Checks what can be checked without the board's chips: a header pin exists, a line is named.
    fn simulated(spec: &LineSpec, logged: bool) -> Result<Output, GpioError> {
        if spec.pin.is_some() {
            resolve(spec)?;
        } else if spec.line.is_none() {
            return Err(GpioError::Incomplete(describe(spec)));
        }
        Ok(Output {
            request: None,
            offset: 0,
            name: describe(spec),
            active: false,
            logged,
        })
    }

    fn open(spec: &LineSpec, simulate: bool, logged: bool) -> Result<Output, GpioError> {
        if simulate {
            return Output::simulated(spec, logged);
        }
        let (chip, offset) = resolve(spec)?;
        let name = describe(spec);
        let mut builder = Request::builder();
        builder
            .on_chip(&chip)
            .with_consumer("edgepipe")
            .with_line(offset)
            .as_output(Value::Inactive);
        if spec.active_low {
            builder.as_active_low();
        }
        let request = builder.request().map_err(|e| GpioError::Request {
            line: name.clone(),
            chip: chip.display().to_string(),
            reason: e.to_string(),
        })?;
        Ok(Output {
            request: Some(request),
            offset,
            name,
            active: false,
            logged,
        })
    }

    fn set(&mut self, active: bool) -> Result<(), GpioError> {
        if active == self.active {
            return Ok(());
        }
        let value = if active {
            Value::Active
        } else {
            Value::Inactive
        };
        if let Some(request) = &self.request {
            request
                .set_value(self.offset, value)
                .map_err(|e| GpioError::Set {
                    line: self.name.clone(),
                    reason: e.to_string(),
                })?;
        }
        self.active = active;
        if self.logged {
            tracing::info!(line = %self.name, active, simulated = self.request.is_none(), "gpio");
        }
        Ok(())
    }
}

/// On after `on_after` consecutive hits, off after `off_after` consecutive misses.
#[derive(Debug, Clone, PartialEq)]
pub struct Hysteresis {
    on_after: u32,
    off_after: u32,
    on: bool,
    run: u32,
}

impl Hysteresis {
    /// Starts off.
    pub fn new(on_after: u32, off_after: u32) -> Hysteresis {
        Hysteresis {
            on_after: on_after.max(1),
            off_after: off_after.max(1),
            on: false,
            run: 0,
        }
    }

    /// Feeds one frame; returns the state after it.
    pub fn update(&mut self, hit: bool) -> bool {
        if hit != self.on {
            self.run += 1;
            if self.run >= if hit { self.on_after } else { self.off_after } {
                self.on = hit;
                self.run = 0;
            }
        } else {
            self.run = 0;
        }
        self.on
    }
}

struct Rule {
    output: Output,
    labels: Vec<String>,
    threshold: f32,
    hysteresis: Hysteresis,
}

/// The configured GPIO outputs, requested and in their safe (inactive) state.
pub struct GpioOutputs {
    rules: Vec<Rule>,
    heartbeat: Option<Output>,
    fault: Option<Output>,
}

impl GpioOutputs {
    /// Requests every configured line, inactive. Errors name the line.
    pub fn open(config: &GpioConfig) -> Result<GpioOutputs, GpioError> {
        let rules = config
            .rules
            .iter()
            .map(|r| {
                Ok(Rule {
                    output: Output::open(&r.line, config.simulate, true)?,
                    labels: r.labels.clone(),
                    threshold: r.threshold,
                    hysteresis: Hysteresis::new(r.on_after, r.off_after),
                })
            })
            .collect::<Result<Vec<_>, GpioError>>()?;
        let open = |spec: &LineSpec, logged| Output::open(spec, config.simulate, logged);
        let heartbeat = config
            .heartbeat
            .as_ref()
            .map(|s| open(s, false))
            .transpose()?;
        let fault = config.fault.as_ref().map(|s| open(s, true)).transpose()?;
        Ok(GpioOutputs {
            rules,
            heartbeat,
            fault,
        })
    }

    /// Applies one frame's top-1 (label, score), or `None` when nothing passed the threshold.
    pub fn update(&mut self, top1: Option<(&str, f32)>) -> Result<(), GpioError> {
        for rule in &mut self.rules {
            let hit = top1.is_some_and(|(label, score)| {
                score >= rule.threshold && rule.labels.iter().any(|l| l == label)
            });
            let on = rule.hysteresis.update(hit);
            rule.output.set(on)?;
        }
        if let Some(h) = self.heartbeat.as_mut() {
            let next = !h.active;
            h.set(next)?;
        }
        Ok(())
    }

    /// Raises or clears the fault line.
    pub fn set_fault(&mut self, failing: bool) -> Result<(), GpioError> {
        self.fault.as_mut().map_or(Ok(()), |f| f.set(failing))
    }

    /// Drives every line to its safe (inactive) state.
    pub fn safe(&mut self) -> Result<(), GpioError> {
        for out in self
            .rules
            .iter_mut()
            .map(|r| &mut r.output)
            .chain(self.heartbeat.as_mut())
            .chain(self.fault.as_mut())
        {
            out.set(false)?;
        }
        Ok(())
    }
}

impl Drop for GpioOutputs {
    fn drop(&mut self) {
        if let Err(e) = self.safe() {
            tracing::warn!(error = %e, "GPIO lines not driven to their safe state on release");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hysteresis_needs_consecutive_frames() {
        let mut h = Hysteresis::new(3, 2);
        let seq = [
            true, true, false, true, true, true, true, false, true, false, false, false,
        ];
        let out: Vec<bool> = seq.iter().map(|&hit| h.update(hit)).collect();
        assert_eq!(
            out,
            vec![
                false, false, false, false, false, true, true, true, true, true, false, false
            ]
        );
    }

    #[test]
    fn specs_resolve_or_name_what_is_missing() {
        assert_eq!(
            resolve(&LineSpec {
                pin: Some(13),
                ..Default::default()
            }),
            Ok((PathBuf::from("/dev/gpiochip0"), 6))
        );
        assert_eq!(
            resolve(&LineSpec {
                pin: Some(12),
                ..Default::default()
            }),
            Err(GpioError::Pin(12))
        );
        assert!(matches!(
            resolve(&LineSpec::default()),
            Err(GpioError::Incomplete(_))
        ));
        let e = resolve(&LineSpec {
            chip: Some("no-such-chip".into()),
            line: Some(LineId::Offset(1)),
            ..Default::default()
        });
        assert_eq!(e, Err(GpioError::NoChip("no-such-chip".into())));
        let e = resolve(&LineSpec {
            line: Some(LineId::Name("no-such-line".into())),
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(e.to_string(), "no GPIO line 'no-such-line'");
    }

    #[test]
    fn rules_parse_from_toml() {
        let cfg: GpioConfig = toml::from_str(
            r#"
            heartbeat = { chip = "edgepipe-sim", line = "heartbeat" }
            [[rules]]
            chip = "edgepipe-sim"
            line = "relay0"
            labels = ["cat", "dog"]
            threshold = 0.5
            on_after = 3
            off_after = 2
            active_low = true
            [[rules]]
            pin = 13
            labels = ["person"]
            "#,
        )
        .unwrap();
        assert_eq!(cfg.rules.len(), 2);
        assert_eq!(cfg.rules[0].line.line, Some(LineId::Name("relay0".into())));
        assert!(cfg.rules[0].line.active_low);
        assert_eq!(
            (cfg.rules[1].line.pin, cfg.rules[1].on_after),
            (Some(13), 1)
        );
        let bad = toml::from_str::<GpioConfig>("[[rules]]\nlabels = []\ncolour = 1\n")
            .unwrap_err()
            .to_string();
        assert!(bad.contains("colour"), "{bad}");
    }
}
