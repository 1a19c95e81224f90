//! Latency-balanced segmentation on real models (CPU segments here): never slower than the
//! parameter-balanced cut as measured in the same run, and still bit-exact.

use edgepipe::engine::edgetpu::DeviceConfig;
use edgepipe::engine::{Engine, EngineOptions, Interpreter};
use edgepipe::model::{self, Model};
use edgepipe::partition::{self, latency, measure::ModelMeasurer};
use edgepipe::verify::{self, SplitMix64};

use crate::util::{data_dir, run_segment, temp_dir, text};

fn balance(model: &Model, n: usize, compile_cmd: Option<&str>) -> Option<latency::Outcome> {
    let params = partition::by_param_bytes(&model.graph, n).unwrap();
    let mut m = ModelMeasurer::new(
        model,
        EngineOptions::default(),
        DeviceConfig::default(),
        3,
        compile_cmd.map(String::from),
    );
    let settings = latency::Settings {
        segments: n,
        threshold: 0.05,
        max_rounds: 4,
    };
    latency::search(
        &mut m,
        model.graph.order.len(),
        &params,
        None,
        &settings,
        |_| {},
    )
}

#[test]
fn latency_balanced_cuts_are_never_slower_and_stay_bit_exact() {
    let Some(dir) = data_dir("latency_balanced_cuts") else {
        return;
    };
    let path = dir.join("coral/mobilenet_v2_1.0_224_quant.tflite");
    let model = Model::open(&path).unwrap();
    let mut whole = Interpreter::new(std::fs::read(&path).unwrap(), 1).unwrap();
    for n in [2, 3] {
        let out = balance(&model, n, None).expect("a partition");
        assert!(
            out.best.slowest_ns() <= out.baseline.slowest_ns(),
            "N={n}: {out:?}"
        );
        assert_eq!(out.best.bounds.len(), n + 1);
        let segments = model::cut(&model, &out.best.bounds).unwrap();
        let mut chain: Vec<Interpreter> = segments
            .iter()
            .map(|s| Interpreter::new(s.bytes.clone(), 1).unwrap())
            .collect();
        let mut rng = SplitMix64::new(1);
        let requests: Vec<_> = (0..2)
            .map(|_| verify::random_inputs(whole.inputs(), &mut rng))
            .collect();
        assert_eq!(
            verify::check(&mut whole, &mut chain, &requests).unwrap(),
            None,
            "N={n} chains bit-exactly"
        );
    }
}

#[test]
fn a_compile_command_runs_on_every_candidate_and_its_failure_is_reported() {
    let Some(dir) = data_dir("compile_cmd") else {
        return;
    };
    let model = Model::open(&dir.join("coral/mobilenet_v1_0.25_128_quant.tflite")).unwrap();
    let log = temp_dir("compile_cmd").join("compiled.log");
    let cmd = format!("cp {{in}} {{out}} && echo {{in}} >> {}", log.display());
    let out = balance(&model, 2, Some(&cmd)).expect("a partition");
    let compiled = std::fs::read_to_string(&log).unwrap().lines().count();
    // One compile per measurement; a measurement that failed (a range that cannot be cut, or
    // that the engine refuses after compiling) may or may not have reached the compiler, and
    // which ranges the search visits depends on the timings it measured.
    assert!(
        (out.measurements - out.failed..=out.measurements).contains(&compiled),
        "{compiled} compiles for {} measurements, {} failed",
        out.measurements,
        out.failed
    );
    assert!(compiled > 0);
    assert!(
        balance(&model, 2, Some("false")).is_none(),
        "nothing compiles: no partition"
    );

    let m = dir.join("coral/mobilenet_v1_0.25_128_quant.tflite");
    let o = temp_dir("compile_cmd_cli");
    let how = ["-n", "2", "--balance", "latency", "--compile-cmd", "false"];
    let r = run_segment(&m, &how, &o);
    assert_eq!(r.status.code(), Some(1), "{}", text(&r));
    assert!(
        String::from_utf8_lossy(&r.stderr).contains("found no partition"),
        "{}",
        text(&r)
    );
}

#[test]
fn segment_balance_latency_reports_before_and_after() {
    let Some(dir) = data_dir("segment_balance_latency_reports") else {
        return;
    };
    let m = dir.join("coral/mobilenet_v1_0.25_128_quant.tflite");
    let o = temp_dir("balance_cli");
    let how = [
        "-n",
        "2",
        "--balance",
        "latency",
        "--invokes",
        "3",
        "--json",
    ];
    let r = run_segment(&m, &how, &o);
    assert!(r.status.success(), "{}", text(&r));
    let v: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
    let l = &v["latency_balance"];
    assert!(l["measurements"].as_u64().unwrap() > 0);
    let slowest = |m: &serde_json::Value| {
        m["latency_ns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .fold(0.0, f64::max)
    };
    assert!(slowest(&l["best"]) <= slowest(&l["baseline"]));
    let cut = l["best"]["bounds"][1].as_u64().unwrap();
    assert_eq!(
        v["segments"][1]["first_position"].as_u64().unwrap(),
        cut,
        "the files written are the best cut"
    );
}
