//! Handoff cost between pipeline stages, measured side by side in one run.
//!
//! A chain of `STAGES` trivial stages (each copies a 64-byte tensor and adds 1) is driven two
//! ways, for three queue designs:
//! - latency: one request at a time, push then pop; per-hop latency = round trip / (STAGES + 1)
//!   hops, reported as p50 and p99;
//! - throughput: a producer thread pushes `THROUGHPUT_N` requests while the caller pops.
//!
//! Designs: edgepipe's pipeline (lock-free SPSC rings, spin then futex), a bounded
//! mutex + condvar queue like libcoral's `WaitQueue` (capacity 1 between stages), and
//! `std::sync::mpsc::sync_channel(1)`.
//!
//! usage: cargo bench --bench handoff

use std::collections::VecDeque;
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use edgepipe::pipeline::{self, PipelineConfig};

const STAGES: usize = 3;
const BYTES: usize = 64;
const LATENCY_N: usize = 20_000;
const THROUGHPUT_N: usize = 200_000;

type Msg = Box<[u8; BYTES]>;

fn work(m: &mut [u8; BYTES]) {
    m.iter_mut().for_each(|b| *b = b.wrapping_add(1));
}

/// A chain of stages joined by some queue; `send` into the first, `recv` from the last.
trait Chain {
    fn send(&mut self, m: Msg);
    fn recv(&mut self) -> Msg;
}

// --- edgepipe ------------------------------------------------------------------------------

#[path = "../tests/support/add_stage.rs"]
mod add_stage;

fn edgepipe_chain() -> (pipeline::Sender, pipeline::Receiver) {
    let engines = add_stage::boxed(add_stage::add_chain(STAGES, BYTES));
    pipeline::build(engines, &PipelineConfig::default()).expect("pipeline")
}

// --- mutex + condvar, libcoral style ------------------------------------------------------

struct WaitQueue {
    items: Mutex<VecDeque<Msg>>,
    changed: Condvar,
    capacity: usize,
}

impl WaitQueue {
    fn new(capacity: usize) -> Arc<WaitQueue> {
        Arc::new(WaitQueue {
            items: Mutex::new(VecDeque::with_capacity(capacity)),
            changed: Condvar::new(),
            capacity,
        })
    }
    fn push(&self, m: Msg) {
        let mut q = self.items.lock().unwrap();
        while q.len() >= self.capacity {
            q = self.changed.wait(q).unwrap();
        }
        q.push_back(m);
        self.changed.notify_all();
    }
    fn pop(&self) -> Msg {
        let mut q = self.items.lock().unwrap();
        loop {
            if let Some(m) = q.pop_front() {
                self.changed.notify_all();
                return m;
            }
            q = self.changed.wait(q).unwrap();
        }
    }
}

struct CondvarChain {
    first: Arc<WaitQueue>,
    last: Arc<WaitQueue>,
}

impl CondvarChain {
    fn new() -> CondvarChain {
        let queues: Vec<Arc<WaitQueue>> = (0..=STAGES).map(|_| WaitQueue::new(1)).collect();
        for i in 0..STAGES {
            let (input, output) = (queues[i].clone(), queues[i + 1].clone());
            std::thread::spawn(move || {
                loop {
                    let mut m = input.pop();
                    work(&mut m);
                    output.push(m);
                }
            });
        }
        CondvarChain {
            first: queues[0].clone(),
            last: queues[STAGES].clone(),
        }
    }
}

impl Chain for CondvarChain {
    fn send(&mut self, m: Msg) {
        self.first.push(m);
    }
    fn recv(&mut self) -> Msg {
        self.last.pop()
    }
}

// --- std::sync::mpsc ------------------------------------------------------------------------

struct MpscChain {
    first: mpsc::SyncSender<Msg>,
    last: mpsc::Receiver<Msg>,
}

impl MpscChain {
    fn new() -> MpscChain {
        let (first, mut rx) = mpsc::sync_channel::<Msg>(1);
        for _ in 0..STAGES {
            let (tx, next) = mpsc::sync_channel::<Msg>(1);
            let input = rx;
            std::thread::spawn(move || {
                while let Ok(mut m) = input.recv() {
                    work(&mut m);
                    if tx.send(m).is_err() {
                        return;
                    }
                }
            });
            rx = next;
        }
        MpscChain { first, last: rx }
    }
}

impl Chain for MpscChain {
    fn send(&mut self, m: Msg) {
        self.first.send(m).expect("chain alive");
    }
    fn recv(&mut self) -> Msg {
        self.last.recv().expect("chain alive")
    }
}

// --- measurement ------------------------------------------------------------------------------

struct Measured {
    p50_hop_ns: f64,
    p99_hop_ns: f64,
    per_s: f64,
}

fn percentiles(mut rtts: Vec<Duration>) -> (f64, f64) {
    rtts.sort();
    let hop = |d: Duration| d.as_nanos() as f64 / (STAGES + 1) as f64;
    (hop(rtts[rtts.len() / 2]), hop(rtts[rtts.len() * 99 / 100]))
}

fn measure_chain(mut chain: impl Chain + Send + 'static) -> (f64, f64) {
    let mut rtts = Vec::with_capacity(LATENCY_N);
    for i in 0..LATENCY_N + 1000 {
        let t = Instant::now();
        chain.send(Box::new([i as u8; BYTES]));
        let m = chain.recv();
        assert_eq!(m[0], (i as u8).wrapping_add(STAGES as u8));
        if i >= 1000 {
            rtts.push(t.elapsed());
        }
    }
    percentiles(rtts)
}

fn chain_throughput<C: Chain>(
    make: impl Fn() -> C,
    split: impl FnOnce(C) -> (Box<dyn FnMut(Msg) + Send>, Box<dyn FnMut() -> Msg>),
) -> f64 {
    let (mut send, mut recv) = split(make());
    let t = Instant::now();
    let producer = std::thread::spawn(move || {
        for i in 0..THROUGHPUT_N {
            send(Box::new([i as u8; BYTES]));
        }
    });
    for _ in 0..THROUGHPUT_N {
        recv();
    }
    producer.join().unwrap();
    THROUGHPUT_N as f64 / t.elapsed().as_secs_f64()
}

fn edgepipe_result() -> Measured {
    let (mut tx, mut rx) = edgepipe_chain();
    let mut rtts = Vec::with_capacity(LATENCY_N);
    let mut req = [0u8; BYTES];
    for i in 0..LATENCY_N + 1000 {
        req.fill(i as u8);
        let t = Instant::now();
        tx.push(&[&req]).unwrap();
        let out = rx.pop().unwrap().expect("result");
        assert_eq!(out.tensor(0).1[0], (i as u8).wrapping_add(STAGES as u8));
        drop(out);
        if i >= 1000 {
            rtts.push(t.elapsed());
        }
    }
    let (p50_hop_ns, p99_hop_ns) = percentiles(rtts);
    drop((tx, rx));

    let (mut tx, mut rx) = edgepipe_chain();
    let t = Instant::now();
    let producer = std::thread::spawn(move || {
        let req = [1u8; BYTES];
        for _ in 0..THROUGHPUT_N {
            tx.push(&[&req]).unwrap();
        }
    });
    let mut n = 0;
    while rx.pop().unwrap().is_some() {
        n += 1;
    }
    producer.join().unwrap();
    assert_eq!(n, THROUGHPUT_N);
    Measured {
        p50_hop_ns,
        p99_hop_ns,
        per_s: THROUGHPUT_N as f64 / t.elapsed().as_secs_f64(),
    }
}

fn main() {
    println!(
        "handoff: {STAGES} copy stages of {BYTES} bytes; latency over {LATENCY_N} requests one at a time, throughput over {THROUGHPUT_N}"
    );
    let ours = edgepipe_result();
    let (p50, p99) = measure_chain(CondvarChain::new());
    let condvar_tp = chain_throughput(CondvarChain::new, |c| {
        let (first, last) = (c.first, c.last);
        (
            Box::new(move |m| first.push(m)),
            Box::new(move || last.pop()),
        )
    });
    let condvar = Measured {
        p50_hop_ns: p50,
        p99_hop_ns: p99,
        per_s: condvar_tp,
    };
    let (p50, p99) = measure_chain(MpscChain::new());
    let mpsc_tp = chain_throughput(MpscChain::new, |c| {
        let (first, last) = (c.first, c.last);
        (
            Box::new(move |m| first.send(m).unwrap()),
            Box::new(move || last.recv().unwrap()),
        )
    });
    let mpsc = Measured {
        p50_hop_ns: p50,
        p99_hop_ns: p99,
        per_s: mpsc_tp,
    };

    println!(
        "{:<22} {:>12} {:>12} {:>14}",
        "design", "p50 hop ns", "p99 hop ns", "requests/s"
    );
    for (name, r) in [
        ("edgepipe rings", &ours),
        ("mutex+condvar (cap 1)", &condvar),
        ("std mpsc sync(1)", &mpsc),
    ] {
        println!(
            "{:<22} {:>12.0} {:>12.0} {:>14.0}",
            name, r.p50_hop_ns, r.p99_hop_ns, r.per_s
        );
    }
    let best = condvar.p50_hop_ns.min(mpsc.p50_hop_ns);
    println!(
        "ratio p50 hop, edgepipe / best baseline: {:.2}; p99: {:.2}; throughput edgepipe / best baseline: {:.2}",
        ours.p50_hop_ns / best,
        ours.p99_hop_ns / condvar.p99_hop_ns.min(mpsc.p99_hop_ns),
        ours.per_s / condvar.per_s.max(mpsc.per_s)
    );
}
