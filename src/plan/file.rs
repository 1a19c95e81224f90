//! The plan file: what `edgepipe plan --out-dir` writes beside the segments, and what
//! `edgepipe bench --plan` and `edgepipe run` (`[model] plan = ...`) read.
//!
//! ```toml
//! model = "mobilenet.tflite"
//! predicted_per_s = 412.5
//! predicted_latency_ms = 4.8
//!
//! [[stage]]
//! ops = [0, 31]                  # execution positions start..end
//! predicted_per_s = 412.5
//! compiled = "mobilenet_segment_0_of_1_edgetpu.tflite"   # optional: what TPU replicas run
//! [[stage.replica]]
//! device = "cpu"                 # as --devices takes it
//! segment = "mobilenet_segment_0_of_1.tflite"   # relative to the plan file
//! predicted_ms = 4.8
//! ```

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::engine::{DeviceSpec, TpuKind};
use crate::fsutil::{self, FsError, WritePolicy};

use super::search::Plan;

/// Largest plan file read.
const MAX_PLAN_BYTES: u64 = 1 << 20;
/// The first line of every plan file (and how an earlier plan is recognised).
const HEADER: &str = "# edgepipe plan: `edgepipe bench --plan FILE` measures it; \
                      `edgepipe run` runs it with `[model] plan = \"FILE\"`.\n";
/// Largest segment file read.
const MAX_SEGMENT_BYTES: u64 = 1 << 30;

/// Why a plan file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum PlanFileError {
    /// A file could not be read or written (the error names it).
    #[error(transparent)]
    Io(#[from] FsError),
    /// Not a plan file.
    #[error("{path}: not a plan file: {cause}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The TOML error.
        cause: String,
    },
    /// A stage's segment file cannot be read (naming the stage and the field).
    #[error("stage {stage}, {field}: {source}")]
    Segment {
        /// The stage.
        stage: usize,
        /// `compiled`, or `replica N segment`.
        field: String,
        /// Why.
        source: FsError,
    },
    /// Parsed, but not a usable plan.
    #[error("{path}: {what}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong, naming the stage and replica.
        what: String,
    },
}

/// A plan as written to disk.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PlanFile {
    /// The model the plan cuts.
    pub model: PathBuf,
    /// Predicted requests per second.
    pub predicted_per_s: f64,
    /// Predicted latency of one request through an idle pipeline, in milliseconds.
    pub predicted_latency_ms: f64,
    /// The stages, in chain order.
    #[serde(rename = "stage")]
    pub stages: Vec<StageFile>,
}

/// One stage of a plan file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct StageFile {
    /// Execution positions `start..end` of the stage's ops.
    pub ops: [usize; 2],
    /// Predicted requests per second of the stage.
    pub predicted_per_s: f64,
    /// The stage's segment compiled for the Edge TPU (`plan --compile-cmd`), relative to the
    /// plan file: what its TPU replicas run (CPU replicas run their `segment`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compiled: Option<PathBuf>,
    /// Its replicas.
    #[serde(rename = "replica")]
    pub replicas: Vec<ReplicaFile>,
}

/// One replica of a stage.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ReplicaFile {
    /// The device, as `--devices` takes it.
    pub device: String,
    /// The segment file it runs (relative paths: to the plan file's directory).
    pub segment: PathBuf,
    /// Predicted latency of one invoke, in milliseconds.
    pub predicted_ms: f64,
}

impl PlanFileError {
    /// True for what the user can fix (exit status 2); false for a failing system, such as a
    /// full disk (exit status 1).
    pub fn is_bad_input(&self) -> bool {
        match self {
            PlanFileError::Io(e) | PlanFileError::Segment { source: e, .. } => e.is_bad_input(),
            PlanFileError::Parse { .. } | PlanFileError::Invalid { .. } => true,
        }
    }
}

impl PlanFile {
    /// Reads and checks a plan file.
    pub fn load(path: &Path) -> Result<PlanFile, PlanFileError> {
        let text = fsutil::read_text(path, MAX_PLAN_BYTES)?;
        let plan: PlanFile = toml::from_str(&text).map_err(|e| PlanFileError::Parse {
            path: path.to_path_buf(),
            cause: e.to_string(),
        })?;
        plan.check().map_err(|what| PlanFileError::Invalid {
            path: path.to_path_buf(),
            what,
        })?;
        Ok(plan)
    }

    /// Every stage has replicas with devices `--devices` accepts, and the stages' ops follow
    /// each other from position 0.
    pub fn check(&self) -> Result<(), String> {
        if self.stages.is_empty() {
            return Err("the plan has no stage".into());
        }
        let mut next = 0;
        for (s, stage) in self.stages.iter().enumerate() {
            if stage.ops[0] != next || stage.ops[1] <= stage.ops[0] {
                return Err(format!(
                    "stage {s}: ops {:?} do not follow the previous stage's (expected to \
                     start at {next} and hold at least one op)",
                    stage.ops
                ));
            }
            next = stage.ops[1];
            if stage.replicas.is_empty() {
                return Err(format!("stage {s} has no replica"));
            }
            if stage
                .compiled
                .as_ref()
                .is_some_and(|c| c.as_os_str().is_empty())
            {
                return Err(format!(
                    "stage {s}: compiled is empty (omit it, or name a file)"
                ));
            }
            for (r, replica) in stage.replicas.iter().enumerate() {
                replica
                    .device
                    .parse::<DeviceSpec>()
                    .map_err(|e| format!("stage {s}, replica {r}: {e}"))?;
            }
        }
        Ok(())
    }

    /// Writes the plan atomically (fsutil's rules: never over the model; an existing file is
    /// replaced only when it is an earlier plan).
    pub fn save(&self, path: &Path) -> Result<(), PlanFileError> {
        let text = toml::to_string_pretty(self).map_err(|e| PlanFileError::Invalid {
            path: path.to_path_buf(),
            what: format!("cannot be written as TOML: {e}"),
        })?;
        let earlier_plan = |_: &Path, old: &[u8]| old.starts_with(HEADER.as_bytes());
        let policy = WritePolicy {
            replaceable: Some((&earlier_plan, "an earlier edgepipe plan".into())),
            ..WritePolicy::new(&[&self.model])
        };
        fsutil::write_file(path, format!("{HEADER}{text}").as_bytes(), &policy)?;
        Ok(())
    }

    /// Each stage's replicas: (device, segment bytes), segments read relative to `dir` (a
    /// TPU replica reads the stage's `compiled` segment when there is one).
    pub fn replicas(&self, dir: &Path) -> Result<Vec<Vec<Replica>>, PlanFileError> {
        let mut out = Vec::with_capacity(self.stages.len());
        for (s, stage) in self.stages.iter().enumerate() {
            let mut replicas = Vec::with_capacity(stage.replicas.len());
            for (r, replica) in stage.replicas.iter().enumerate() {
                let device = replica.device.parse::<DeviceSpec>().map_err(|what| {
                    PlanFileError::Invalid {
                        path: dir.to_path_buf(),
                        what: format!("stage {s}, replica {r}: {what}"),
                    }
                })?;
                let (file, field) = stage.segment_of(r, &device);
                let bytes =
                    fsutil::read_bounded(&dir.join(file), MAX_SEGMENT_BYTES).map_err(|source| {
                        PlanFileError::Segment {
                            stage: s,
                            field,
                            source,
                        }
                    })?;
                replicas.push((device, bytes));
            }
            out.push(replicas);
        }
        Ok(out)
    }
}

impl StageFile {
    /// The file replica `r` runs on `device`, and the field that names it: the stage's
    /// `compiled` segment on a TPU when there is one, else the replica's `segment`.
    pub fn segment_of(&self, r: usize, device: &DeviceSpec) -> (&Path, String) {
        match (&self.compiled, device) {
            (Some(c), d) if *d != DeviceSpec::Cpu => (c, "compiled".into()),
            _ => (&self.replicas[r].segment, format!("replica {r} segment")),
        }
    }
}

/// One replica to open: its device and its segment's bytes.
pub type Replica = (DeviceSpec, Vec<u8>);

/// A device as `--devices` takes it.
pub fn device_string(spec: &DeviceSpec) -> String {
    let kind = |k: &Option<TpuKind>| k.map_or(String::new(), |k| k.to_string());
    match spec {
        DeviceSpec::Cpu => "cpu".into(),
        DeviceSpec::Any(k) => kind(k),
        DeviceSpec::Index(k, n) => format!("{}:{n}", kind(k)),
        DeviceSpec::Path(k, p) => format!("{k}:{p}"),
    }
}

/// The kind of a device, as plans count them: cpu, pci, usb, or tpu (any TPU).
pub fn kind_name(spec: &DeviceSpec) -> String {
    match spec {
        DeviceSpec::Cpu => "cpu".into(),
        DeviceSpec::Any(Some(k)) | DeviceSpec::Index(Some(k), _) | DeviceSpec::Path(k, _) => {
            k.to_string()
        }
        DeviceSpec::Any(None) | DeviceSpec::Index(None, _) => "tpu".into(),
    }
}

impl PlanFile {
    /// The file for `plan`: replicas of kind `k` take the devices of `devices[k]` in order,
    /// stage by stage; stage `s` runs `segments[s]`.
    pub fn from_plan(
        model: &Path,
        plan: &Plan,
        devices: &[Vec<String>],
        segments: &[PathBuf],
    ) -> PlanFile {
        let mut next = vec![0usize; devices.len()];
        let stages = plan
            .stages
            .iter()
            .zip(segments)
            .map(|(s, segment)| {
                let mut replicas = Vec::new();
                for (k, &a) in s.replicas.iter().enumerate() {
                    for _ in 0..a {
                        replicas.push(ReplicaFile {
                            device: devices[k][next[k]].clone(),
                            segment: segment.clone(),
                            predicted_ms: s.replica_ms[k],
                        });
                        next[k] += 1;
                    }
                }
                StageFile {
                    ops: [s.start, s.end],
                    predicted_per_s: s.per_s,
                    compiled: None,
                    replicas,
                }
            })
            .collect();
        PlanFile {
            model: model.to_path_buf(),
            predicted_per_s: plan.per_s,
            predicted_latency_ms: plan.latency_ms,
            stages,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> PlanFile {
        PlanFile {
            model: "m.tflite".into(),
            predicted_per_s: 10.0,
            predicted_latency_ms: 5.0,
            stages: vec![
                StageFile {
                    ops: [0, 3],
                    predicted_per_s: 10.0,
                    compiled: None,
                    replicas: vec![ReplicaFile {
                        device: "cpu".into(),
                        segment: "a.tflite".into(),
                        predicted_ms: 1.0,
                    }],
                },
                StageFile {
                    ops: [3, 5],
                    predicted_per_s: 20.0,
                    compiled: Some("b_edgetpu.tflite".into()),
                    replicas: vec![
                        ReplicaFile {
                            device: "usb:0".into(),
                            segment: "b.tflite".into(),
                            predicted_ms: 1.0,
                        },
                        ReplicaFile {
                            device: "pci:1".into(),
                            segment: "b.tflite".into(),
                            predicted_ms: 1.0,
                        },
                    ],
                },
            ],
        }
    }

    #[test]
    fn plan_files_round_trip_and_bad_ones_name_the_problem() {
        let dir = std::env::temp_dir().join(format!("edgepipe-planfile-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("plan.toml");
        sample().save(&path).unwrap();
        assert_eq!(PlanFile::load(&path).unwrap(), sample());
        sample().save(&path).expect("an earlier plan is replaced");
        let mine = dir.join("mine.toml");
        std::fs::write(&mine, "someone's notes\n").unwrap();
        assert!(matches!(
            sample().save(&mine),
            Err(PlanFileError::Io(FsError::Exists { .. }))
        ));
        assert_eq!(std::fs::read_to_string(&mine).unwrap(), "someone's notes\n");

        let mut gap = sample();
        gap.stages[1].ops = [4, 5];
        assert!(gap.check().unwrap_err().contains("stage 1"));
        let mut empty = sample();
        empty.stages[0].replicas.clear();
        assert_eq!(empty.check().unwrap_err(), "stage 0 has no replica");
        let mut device = sample();
        device.stages[1].replicas[1].device = "gpu".into();
        assert!(device.check().unwrap_err().contains("stage 1, replica 1"));
        for d in [
            "cpu",
            "pci",
            "usb",
            ":2",
            "pci:1",
            "usb:/sys/bus/usb/devices/3-1",
        ] {
            assert_eq!(device_string(&d.parse().unwrap()), d);
        }

        // TPU replicas read the stage's compiled segment, CPU replicas their own; a missing
        // file names the stage and the field.
        for (f, bytes) in [("a.tflite", b"cpu".as_slice()), ("b.tflite", b"cpu b")] {
            std::fs::write(dir.join(f), bytes).unwrap();
        }
        std::fs::write(dir.join("b_edgetpu.tflite"), b"tpu b").unwrap();
        let read = sample().replicas(&dir).unwrap();
        assert_eq!(read[0][0].1, b"cpu");
        assert_eq!(read[1][0].1, b"tpu b");
        assert_eq!(read[1][1].1, b"tpu b");
        let mut cpu = sample();
        cpu.stages[1].replicas[1].device = "cpu".into();
        assert_eq!(cpu.replicas(&dir).unwrap()[1][1].1, b"cpu b");
        std::fs::remove_file(dir.join("b_edgetpu.tflite")).unwrap();
        let err = sample().replicas(&dir).unwrap_err();
        assert!(
            matches!(err, PlanFileError::Segment { stage: 1, .. }) && err.is_bad_input(),
            "{err}"
        );
        let said = err.to_string();
        assert!(
            said.contains("stage 1, compiled") && said.contains("b_edgetpu.tflite"),
            "{said}"
        );
        std::fs::remove_file(dir.join("a.tflite")).unwrap();
        let said = sample().replicas(&dir).unwrap_err().to_string();
        assert!(said.contains("stage 0, replica 0 segment"), "{said}");
        let mut blank = sample();
        blank.stages[0].compiled = Some("".into());
        assert!(blank.check().unwrap_err().contains("stage 0: compiled"));

        std::fs::write(&path, "model = 3\n").unwrap();
        assert!(matches!(
            PlanFile::load(&path),
            Err(PlanFileError::Parse { .. })
        ));
        assert!(matches!(
            PlanFile::load(&dir),
            Err(PlanFileError::Io { .. })
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// Mutated plan files (byte changes, truncations) are parsed or refused, never a panic,
    /// and what loads has passed the checks.
    #[test]
    fn mutated_plan_files_load_or_are_refused() {
        let dir = std::env::temp_dir().join(format!("edgepipe-planfuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("plan.toml");
        let text = toml::to_string_pretty(&sample()).unwrap().into_bytes();
        const ALPHABET: &[u8] = b"0123456789-[]=\".,\n x\xff";
        let mut rng = crate::verify::SplitMix64::new(18);
        let (mut loaded, mut refused) = (0, 0);
        for _ in 0..2000 {
            let mut bytes = text.clone();
            for _ in 0..1 + rng.next_u64() % 4 {
                let at = (rng.next_u64() as usize) % bytes.len();
                bytes[at] = ALPHABET[(rng.next_u64() as usize) % ALPHABET.len()];
            }
            if rng.next_u64().is_multiple_of(4) {
                bytes.truncate((rng.next_u64() as usize) % bytes.len());
            }
            std::fs::write(&path, &bytes).unwrap();
            match PlanFile::load(&path) {
                Ok(plan) => {
                    plan.check().unwrap();
                    loaded += 1;
                }
                Err(e) => {
                    assert!(e.is_bad_input(), "{e}");
                    refused += 1;
                }
            }
        }
        assert!(
            loaded > 0 && refused > 0,
            "{loaded} loaded, {refused} refused"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
