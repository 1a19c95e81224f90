//! The fake libedgetpu's latency model (simulated TPUs, `sim=1` in its configuration): the
//! work it reads from a real segment, the time it models from its own parameters, per device
//! kind, and that an invoke takes at least that long.

use std::path::Path;
use std::time::Instant;

use edgepipe::engine::edgetpu::DeviceConfig;
use edgepipe::engine::{self, DeviceSpec, EngineOptions, TpuKind};
use edgepipe::model::{self, Model};

use crate::engine::{fake_edgetpu, fake_log};
use crate::util::data_dir;

/// One `sim` line of the fake's log: (kind, macs, params, in, out, ns).
fn sim_lines(log: &str) -> Vec<(String, [f64; 5])> {
    log.lines()
        .filter_map(|l| l.strip_prefix("sim "))
        .map(|l| {
            let mut words = l.split(' ');
            let kind = words.next().unwrap().to_string();
            let mut v = [0.0; 5];
            for (i, w) in words.enumerate() {
                v[i] = w.split_once('=').unwrap().1.parse().unwrap();
            }
            (kind, v)
        })
        .collect()
}

/// Multiply-accumulates counted independently from the model's own shapes, as the fake's
/// header defines them.
fn macs(graph: &model::Graph) -> f64 {
    let elements = |t: usize| -> f64 {
        graph.tensors[t]
            .shape
            .iter()
            .map(|&d| d.max(1) as f64)
            .product()
    };
    let mut total = 0.0;
    for op in &graph.ops {
        let out: f64 = op.outputs.iter().map(|&t| elements(t)).sum();
        let weighted = matches!(
            op.kind.as_str(),
            "CONV_2D" | "DEPTHWISE_CONV_2D" | "FULLY_CONNECTED" | "TRANSPOSE_CONV"
        );
        let weights = op
            .inputs
            .iter()
            .flatten()
            .find(|&&t| graph.tensors[t].is_constant() && graph.tensors[t].shape.len() >= 2);
        total += match (weighted, weights) {
            (true, Some(&w)) => {
                let channels = *graph.tensors[op.outputs[0]].shape.last().unwrap() as f64;
                out * (elements(w) / channels)
            }
            _ => out,
        };
    }
    total
}

fn open_on(lib: &Path, segment: &[u8], spec: DeviceSpec) -> Box<dyn engine::Engine> {
    let config = DeviceConfig {
        library: Some(lib.to_path_buf()),
        devices: Some(vec![spec]),
        lock_dir: Some(lib.with_file_name("locks")),
        tpu_options: Vec::new(),
    };
    engine::open_segments(&[segment.to_vec()], &EngineOptions::default(), &config)
        .unwrap()
        .pop()
        .unwrap()
}

#[test]
fn simulated_tpus_model_the_segment_they_run_from_their_own_parameters() {
    let Some(data) = data_dir("simulated_tpus") else {
        return;
    };
    let path = data.join("coral/mobilenet_v1_0.25_128_quant.tflite");
    let whole = Model::open(&path).unwrap();
    let ops = whole.graph.order.len();
    let segments = model::cut(&whole, &[0, ops / 2, ops]).unwrap();
    let first = Model::from_bytes(&segments[0].bytes, Path::new("s0")).unwrap();
    let lib = fake_edgetpu(
        "sim_model",
        "devices=pci:/dev/apex_0,usb:/dev/usb_0\nsim=1\nsim.pci.fixed_us=3000\n\
         sim.pci.gmacs=2\nsim.pci.cache_bytes=100000\nsim.pci.offchip_mb_s=50\n\
         sim.usb.transfer_us=700\nsim.usb.bus_mb_s=10\n",
    );
    let mut pci = open_on(
        &lib,
        &segments[0].bytes,
        DeviceSpec::Any(Some(TpuKind::Pci)),
    );
    let started = Instant::now();
    pci.invoke().unwrap();
    let took = started.elapsed().as_nanos() as f64;
    drop(pci);
    let mut usb = open_on(
        &lib,
        &segments[0].bytes,
        DeviceSpec::Any(Some(TpuKind::Usb)),
    );
    usb.invoke().unwrap();
    drop(usb);
    let lines = sim_lines(&fake_log(&lib));
    assert_eq!(lines.len(), 2, "one kernel per delegate: {lines:?}");
    let (kind, [m, params, input, output, ns]) = lines[0].clone();
    assert_eq!(kind, "pci");
    assert_eq!(m, macs(&first.graph), "MACs as the header defines them");
    assert_eq!(params, first.graph.param_bytes() as f64, "constant bytes");
    let bytes = |ts: &[usize]| -> f64 {
        ts.iter()
            .map(|&t| first.graph.tensors[t].byte_size().unwrap() as f64)
            .sum()
    };
    assert_eq!(input, bytes(&first.graph.inputs));
    assert_eq!(output, bytes(&first.graph.outputs));
    // pci: fixed 3,000 us, 2 GMAC/s, no transfers, 1,000 MB/s, off-chip past 100,000 B at 50 MB/s.
    let us = 3000.0 + m / 2e3 + (input + output) / 1000.0 + (params - 1e5).max(0.0) / 50.0;
    assert!(
        (ns - us * 1e3).abs() <= 1.0,
        "pci {ns} ns, expected {us} us"
    );
    assert!(
        took >= ns,
        "an invoke sleeps its modelled time: {took} < {ns} ns"
    );
    // usb: defaults but for 700 us per transfer and a 10 MB/s bus; the segment fits 8 MiB.
    let (kind, [m2, _, _, _, ns2]) = lines[1].clone();
    assert_eq!(kind, "usb");
    assert_eq!(m2, m);
    let us2 = 1600.0 + 2.0 * 700.0 + m / 800e3 + (input + output) / 10.0;
    assert!(
        (ns2 - us2 * 1e3).abs() <= 1.0,
        "usb {ns2} ns, expected {us2} us"
    );
}

#[test]
fn without_sim_the_fake_tpu_claims_only_edge_tpu_ops() {
    let Some(data) = data_dir("no_sim") else {
        return;
    };
    let bytes = std::fs::read(data.join("coral/mobilenet_v1_0.25_128_quant.tflite")).unwrap();
    let lib = fake_edgetpu("no_sim", "devices=pci:/dev/apex_0\n");
    let mut e = open_on(&lib, &bytes, DeviceSpec::Any(Some(TpuKind::Pci)));
    e.invoke().unwrap();
    assert!(sim_lines(&fake_log(&lib)).is_empty(), "{}", fake_log(&lib));
}
