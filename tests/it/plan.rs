//! The planner end to end: `plan` on simulated TPUs (the fake libedgetpu's latency model)
//! writes segments and plan files that `bench --plan` runs; the trace `bench --trace` writes
//! follows the trace-event format, with one replica's spans never overlapping and every
//! request in every stage; bad input exits 2 naming the thing.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use edgepipe::engine::Engine;
use edgepipe::pipeline::{self, PipelineConfig, trace::Trace};

use crate::engine::{fake_edgetpu, fake_log};
use crate::fakes::AddStage;
use crate::util::{data_dir, temp_dir, text};

/// Checks a trace-event file: named tracks, every request once in every stage, the spans of
/// one track never overlapping, queue waits balanced and ending before their stage's span.
fn check_trace(trace: &Value, stages: usize, requests: u64) {
    let events = trace["traceEvents"].as_array().expect("traceEvents");
    let mut named = BTreeSet::new();
    let mut spans: BTreeMap<u64, Vec<(f64, f64)>> = BTreeMap::new();
    let mut seen = BTreeSet::new();
    let mut waits: BTreeMap<(String, u64), f64> = BTreeMap::new();
    for e in events {
        let tid = e["tid"].as_u64().unwrap_or(0);
        match e["ph"].as_str().expect("ph") {
            "M" => {
                named.insert(tid);
            }
            "X" => {
                let (ts, dur) = (e["ts"].as_f64().unwrap(), e["dur"].as_f64().unwrap());
                assert!(dur >= 0.0, "{e}");
                spans.entry(tid).or_default().push((ts, ts + dur));
                let key = (
                    e["args"]["request"].as_u64().unwrap(),
                    e["args"]["stage"].as_u64().unwrap(),
                );
                assert!(seen.insert(key), "request {key:?} twice");
            }
            "b" => {
                let key = (
                    e["name"].as_str().unwrap().to_string(),
                    e["id"].as_u64().unwrap(),
                );
                assert!(waits.insert(key, e["ts"].as_f64().unwrap()).is_none());
            }
            "e" => {
                let key = (
                    e["name"].as_str().unwrap().to_string(),
                    e["id"].as_u64().unwrap(),
                );
                let began = waits.remove(&key).expect("a wait ends after it began");
                assert!(e["ts"].as_f64().unwrap() >= began, "{e}");
            }
            other => panic!("unexpected phase {other}"),
        }
    }
    assert!(waits.is_empty(), "unended waits: {waits:?}");
    for s in 0..stages as u64 {
        for r in 0..requests {
            assert!(seen.contains(&(r, s)), "request {r} missing at stage {s}");
        }
    }
    assert_eq!(seen.len() as u64, stages as u64 * requests);
    for (tid, mut list) in spans {
        assert!(named.contains(&tid), "track {tid} is named");
        list.sort_by(|a, b| a.0.total_cmp(&b.0));
        for w in list.windows(2) {
            assert!(
                w[0].1 <= w[1].0 + 1e-6,
                "track {tid}: span {:?} overlaps {:?}",
                w[0],
                w[1]
            );
        }
    }
}

#[test]
fn a_trace_of_replicated_stages_has_every_request_once_per_stage_without_overlaps() {
    let delays: [&[u64]; 3] = [&[2, 3], &[1], &[2, 2, 4]];
    let stages: Vec<Vec<Box<dyn Engine>>> = delays
        .iter()
        .enumerate()
        .map(|(s, ms)| {
            ms.iter()
                .map(|&ms| {
                    let mut e = AddStage::new(&format!("t{s}"), &format!("t{}", s + 1), 2, 1);
                    e.delay = Duration::from_millis(ms);
                    e.boxed()
                })
                .collect()
        })
        .collect();
    let n = 40u64;
    let trace = Arc::new(Trace::new(3, n as usize));
    let (mut tx, mut rx) =
        pipeline::build_traced(stages, &PipelineConfig::default(), Some(trace.clone())).unwrap();
    let pusher = trace.clone();
    let producer = std::thread::spawn(move || {
        for i in 0..n {
            pusher.pushed(i);
            tx.push(&[&(i as u16).to_le_bytes()]).unwrap();
        }
    });
    let mut popped = 0;
    while rx.pop().unwrap().is_some() {
        popped += 1;
    }
    producer.join().unwrap();
    assert_eq!(popped, n);
    let json = trace.to_json(&[2, 1, 3]);
    // It survives a round trip through text, as a viewer reads it.
    let json: Value = serde_json::from_str(&json.to_string()).unwrap();
    check_trace(&json, 3, n);
}

fn run(args: &[&str], lib: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_edgepipe"))
        .args(args)
        .env("EDGEPIPE_EDGETPU_LIB", lib)
        .env("EDGEPIPE_LOCK_DIR", lib.with_file_name("locks"))
        .output()
        .expect("run edgepipe")
}

#[test]
fn plan_on_simulated_tpus_then_bench_the_plans_with_a_trace() {
    let Some(data) = data_dir("plan_sim") else {
        return;
    };
    let model = data.join("coral/mobilenet_v1_0.25_128_quant.tflite");
    let lib = fake_edgetpu(
        "plan_sim",
        "devices=pci:/dev/apex_0,pci:/dev/apex_1,usb:/dev/usb_0\nsim=1\n",
    );
    let out_dir = temp_dir("plan_sim_out");
    let dir = out_dir.to_str().unwrap();
    let out = run(
        &[
            "plan",
            model.to_str().unwrap(),
            "--devices",
            "pci,pci,usb",
            "--json",
            "--out-dir",
            dir,
            "--compile-cmd",
            "cp {in} {out}",
        ],
        &lib,
    );
    assert!(out.status.success(), "{}", text(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    // The chosen plan ran at least as fast as both baselines, in the same session.
    let ran = |v: &Value| v["tried_per_s"].as_f64().expect("the plan was run");
    let best = ran(&report["plans"][0]);
    assert!(best >= ran(&report["libcoral"]), "{report}");
    assert!(best >= ran(&report["data_parallel"]), "{report}");
    assert!(report["trials"].as_u64().unwrap() >= 2, "{report}");
    assert!(report["host_ms"].as_f64().unwrap() >= 0.0, "{report}");
    assert_eq!(
        report["what_if"].as_array().unwrap().len(),
        4,
        "±1 pci, ±1 usb"
    );
    let files: Vec<&str> = report["plan_files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert_eq!(files.len(), 3, "best, libcoral, data parallel: {files:?}");
    let stages = report["plans"][0]["stages"].as_array().unwrap().len();
    // Every stage runs on TPUs, so each has its compiled segment; the TPU replicas read
    // it, not the CPU segment (removed here).
    let best_plan = edgepipe::plan::file::PlanFile::load(Path::new(files[0])).unwrap();
    for (s, stage) in best_plan.stages.iter().enumerate() {
        let compiled = stage.compiled.as_ref().expect("a compiled segment");
        assert!(out_dir.join(compiled).is_file(), "stage {s}: {compiled:?}");
        let _ = std::fs::remove_file(out_dir.join(&stage.replicas[0].segment));
    }

    let trace = out_dir.join("trace.json");
    let joined = files.join(",");
    let bench = run(
        &[
            "bench",
            "--plan",
            &joined,
            "-k",
            "30",
            "--json",
            "--trace",
            trace.to_str().unwrap(),
        ],
        &lib,
    );
    assert!(bench.status.success(), "{}", text(&bench));
    let measured: Value = serde_json::from_slice(&bench.stdout).unwrap();
    let plans = measured["plans"].as_array().unwrap();
    assert_eq!(plans.len(), 3);
    for p in plans {
        assert!(p["per_s"].as_f64().unwrap() > 0.0, "{p}");
        assert!(p["predicted_per_s"].as_f64().unwrap() > 0.0, "{p}");
    }
    assert_eq!(plans[0]["stages"].as_array().unwrap().len(), stages);
    assert!(fake_log(&lib).contains("sim pci"), "ran on simulated TPUs");
    let json: Value = serde_json::from_slice(&std::fs::read(&trace).unwrap()).unwrap();
    check_trace(&json, stages, 30);
}

#[test]
fn plan_for_least_latency_at_a_throughput_and_refuse_a_throughput_no_plan_reaches() {
    let Some(data) = data_dir("plan_min") else {
        return;
    };
    let model = data.join("coral/mobilenet_v1_0.25_128_quant.tflite");
    let lib = fake_edgetpu(
        "plan_min",
        "devices=pci:/dev/apex_0,pci:/dev/apex_1\nsim=1\n",
    );
    let plan = |rate: &str| {
        let args = ["plan", model.to_str().unwrap(), "--devices", "pci,pci"];
        run(
            &[&args[..], &["--json", "--no-trial", "--min-per-s", rate]].concat(),
            &lib,
        )
    };
    // Fastest first: what the devices can do.
    let out = run(
        &[
            "plan",
            model.to_str().unwrap(),
            "--devices",
            "pci,pci",
            "--json",
            "--no-trial",
        ],
        &lib,
    );
    assert!(out.status.success(), "{}", text(&out));
    let fastest: Value = serde_json::from_slice(&out.stdout).unwrap();
    let top = fastest["plans"][0]["per_s"].as_f64().unwrap();
    assert_eq!(
        fastest["trials"].as_u64(),
        Some(0),
        "--no-trial runs nothing"
    );

    // Half of that: every plan listed sustains it, the first with the least latency.
    let wanted = top / 2.0;
    let out = plan(&format!("{wanted}"));
    assert!(out.status.success(), "{}", text(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let plans = report["plans"].as_array().unwrap();
    let latency = |p: &Value| p["latency_ms"].as_f64().unwrap();
    for p in plans {
        assert!(p["per_s"].as_f64().unwrap() >= wanted, "{p}");
        assert!(latency(&plans[0]) <= latency(p), "{report}");
    }

    // Twice the fastest: no plan, exit 2, naming the flag and what is reachable.
    let out = plan(&format!("{}", top * 2.0));
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("--min-per-s") && said.contains("no plan sustains"),
        "{said}"
    );
    assert!(said.contains("the fastest is predicted at"), "{said}");
    let out = plan("0");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}

#[test]
fn bad_plan_input_exits_2_naming_the_thing() {
    let Some(data) = data_dir("plan_bad") else {
        return;
    };
    let lib = fake_edgetpu("plan_bad", "");
    let model = data.join("coral/mobilenet_v1_0.25_128_quant.tflite");
    let out = run(&["plan", model.to_str().unwrap()], &lib);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("--devices"), "{}", text(&out));
    let dir = temp_dir("plan_bad_files");
    let missing = dir.join("missing.toml");
    let out = run(&["bench", "--plan", missing.to_str().unwrap()], &lib);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("missing.toml"), "{}", text(&out));
    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "model = 3\n").unwrap();
    let out = run(&["bench", "--plan", bad.to_str().unwrap()], &lib);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("not a plan file"), "{}", text(&out));
}

#[test]
fn run_takes_a_plan_with_a_replicated_stage_and_refuses_plan_with_segments() {
    use edgepipe::plan::file::{PlanFile, ReplicaFile, StageFile};
    let Some(data) = data_dir("run_plan") else {
        return;
    };
    let dir = temp_dir("run_plan");
    let config = crate::service::setup(&dir, &data, "kind = \"pattern\"", "");
    let model = data.join("coral/mobilenet_v1_0.25_128_quant.tflite");
    let graph = edgepipe::model::Model::open(&model).unwrap().graph;
    let bounds = edgepipe::partition::by_param_bytes(&graph, 2).unwrap();
    let stem = "mobilenet_v1_0.25_128_quant";
    let replica = |i: usize| ReplicaFile {
        device: "cpu".into(),
        segment: edgepipe::model::segment_file_name(stem, i, 2).into(),
        predicted_ms: 1.0,
    };
    let plan = PlanFile {
        model,
        predicted_per_s: 1.0,
        predicted_latency_ms: 1.0,
        stages: (0..2)
            .map(|i| StageFile {
                ops: [bounds[i], bounds[i + 1]],
                predicted_per_s: 1.0,
                compiled: None,
                replicas: (0..2 - i).map(|_| replica(i)).collect(),
            })
            .collect(),
    };
    plan.save(&dir.join("plan.toml")).unwrap();
    let text_of = std::fs::read_to_string(&config).unwrap();
    let start = text_of.find("segments = [").unwrap();
    let end = start + text_of[start..].find('\n').unwrap();
    let planned = dir.join("planned.toml");
    std::fs::write(
        &planned,
        text_of.replace(&text_of[start..end], "plan = \"plan.toml\""),
    )
    .unwrap();
    let c = planned.to_str().unwrap();
    let out = crate::util::edgepipe(&["check-config", c]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = crate::util::edgepipe(&["run", "--config", c, "--frames", "3"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let opened = String::from_utf8_lossy(&out.stderr)
        .matches("segment opened")
        .count();
    assert_eq!(
        opened,
        3,
        "two replicas of stage 0, one of stage 1: {}",
        text(&out)
    );
    let both = dir.join("both.toml");
    std::fs::write(
        &both,
        text_of.replace("[model]\n", "[model]\nplan = \"plan.toml\"\n"),
    )
    .unwrap();
    let out = crate::util::edgepipe(&["check-config", both.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("model.plan"), "{}", text(&out));
}
