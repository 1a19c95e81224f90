//! Wiring: checks the chain and the replicas, allocates every slot and ring, starts one
//! thread per stage replica and hands back the two endpoints.
//!
//! Rings: free slots (receiver -> sender); the sender's ring into stage 0; one ring from
//! each replica of stage s into stage s + 1 (the receiver after the last stage), merged back
//! into push order there ([`InOrder`]). Each ring holds every slot, so a push into one never
//! finds it full.

use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Instant;

use super::error::BuildError;
use super::inorder::InOrder;
use super::receiver::Receiver;
use super::ring::{self, Consumer, Producer};
use super::route::{self, route};
use super::sender::Sender;
use super::stage::Stage;
use super::stats::StageCounters;
use super::stream::Stream;
use super::trace::Trace;
use super::{MAX_CAPACITY, PipelineConfig, Shared, Slot, Tag};
use crate::engine::HostBuffer;
use crate::engine::{Engine, TensorSpec};

/// Builds a pipeline from segments already bound to their devices, in chain order. Checks
/// the chain, allocates every slot, then starts one thread per segment.
pub fn build(
    engines: Vec<Box<dyn Engine>>,
    config: &PipelineConfig,
) -> Result<(Sender, Receiver), BuildError> {
    build_replicated(engines.into_iter().map(|e| vec![e]).collect(), config)
}

/// Builds a pipeline whose stage `s` runs on every engine of `stages[s]` (replicas of one
/// segment, each already bound to its own device; one thread each). Checks the chain and
/// that the replicas of a stage agree on their tensors, allocates every slot, then starts the
/// threads.
pub fn build_replicated(
    stages: Vec<Vec<Box<dyn Engine>>>,
    config: &PipelineConfig,
) -> Result<(Sender, Receiver), BuildError> {
    build_traced(stages, config, None)
}

/// [`build_replicated`], the stages recording each request's timings into `trace`.
pub fn build_traced(
    stages: Vec<Vec<Box<dyn Engine>>>,
    config: &PipelineConfig,
    trace: Option<Arc<Trace>>,
) -> Result<(Sender, Receiver), BuildError> {
    if stages.is_empty() {
        return Err(BuildError::NoSegments);
    }
    check_replicas(&stages)?;
    let total: usize = stages.iter().map(Vec::len).sum();
    let capacity = config.capacity.unwrap_or(2 * total + 1);
    if capacity == 0 || capacity > MAX_CAPACITY {
        return Err(BuildError::Capacity(capacity));
    }
    let routes = route(&route::io_of(&stages))?;
    let mut start = 0;
    let shared = Arc::new(Shared {
        stream: Stream::new(total),
        live: Default::default(),
        counters: (0..total).map(|_| StageCounters::default()).collect(),
        load: stages.iter().map(|_| Default::default()).collect(),
        busy_since: (0..total).map(|_| Default::default()).collect(),
        replicas: stages
            .iter()
            .map(|r| {
                start += r.len();
                start - r.len()..start
            })
            .collect(),
        inputs: routes.input_specs.clone(),
        outputs: routes.output_specs.clone(),
        capacity,
        started: Instant::now(),
        trace,
    });

    let (free_tx, free_rx) = slots(capacity, &routes.sizes)?;
    let (first, first_rx) = ring::ring::<Slot>(capacity);
    let mut input = InOrder::new(vec![first_rx]);
    let mut threads = Vec::with_capacity(total);
    for (s, (replicas, (ins, outs))) in stages.into_iter().zip(routes.stages).enumerate() {
        let shared_input = Arc::new(Mutex::new(input));
        let mut outputs: Vec<Consumer<Slot>> = Vec::with_capacity(replicas.len());
        let replicated = replicas.len() > 1;
        for (r, engine) in replicas.into_iter().enumerate() {
            let (tx, rx) = ring::ring(capacity);
            outputs.push(rx);
            let stage = Stage {
                index: s,
                replica: r,
                replicated,
                id: shared.replicas[s].start + r,
                engine,
                input: shared_input.clone(),
                output: tx,
                ins: ins.clone(),
                outs: outs.clone(),
                shared: shared.clone(),
            };
            let name = match replicated {
                true => format!("edgepipe-s{s}r{r}"),
                false => format!("edgepipe-seg{s}"),
            };
            let spawned = std::thread::Builder::new()
                .name(name)
                .spawn(move || stage.run());
            match spawned {
                Ok(handle) => threads.push(handle),
                Err(source) => {
                    // Stop the stages already started before reporting.
                    shared.stream.abandon();
                    threads
                        .into_iter()
                        .for_each(|t: JoinHandle<()>| drop(t.join()));
                    return Err(BuildError::Spawn {
                        segment: s,
                        cause: source,
                    });
                }
            }
        }
        input = InOrder::new(outputs);
    }
    let sender = Sender::new(shared.clone(), free_rx, first, routes.inputs);
    let receiver = Receiver::new(shared, input, free_tx, threads, routes.outputs);
    Ok((sender, receiver))
}

/// Every stage has a replica, and its replicas have the tensors of its first.
fn check_replicas(stages: &[Vec<Box<dyn Engine>>]) -> Result<(), BuildError> {
    fn describe(specs: &[TensorSpec]) -> String {
        let each: Vec<String> = specs
            .iter()
            .map(|s| format!("'{}' {} {:?}", s.name, s.dtype, s.shape))
            .collect();
        format!("[{}]", each.join(", "))
    }
    fn same(a: &[TensorSpec], b: &[TensorSpec]) -> bool {
        a.len() == b.len()
            && a.iter().zip(b).all(|(a, b)| {
                a.name == b.name && a.dtype == b.dtype && a.bytes == b.bytes && a.shape == b.shape
            })
    }
    for (s, replicas) in stages.iter().enumerate() {
        let Some(first) = replicas.first() else {
            return Err(BuildError::NoReplicas(s));
        };
        for (r, other) in replicas.iter().enumerate().skip(1) {
            for (theirs, mine, what) in [
                (first.inputs(), other.inputs(), "inputs"),
                (first.outputs(), other.outputs(), "outputs"),
            ] {
                if !same(theirs, mine) {
                    return Err(BuildError::ReplicaMismatch {
                        segment: s,
                        replica: r,
                        expected: format!("{what} {}", describe(theirs)),
                        got: format!("{what} {}", describe(mine)),
                    });
                }
            }
        }
    }
    Ok(())
}

/// The free ring, filled with `capacity` slots holding tensors of `sizes` bytes.
fn slots(capacity: usize, sizes: &[usize]) -> Result<(Producer<Slot>, Consumer<Slot>), BuildError> {
    let (mut free_tx, free_rx) = ring::ring::<Slot>(capacity);
    for _ in 0..capacity {
        let tensors = sizes
            .iter()
            .enumerate()
            .map(|(t, &bytes)| {
                HostBuffer::zeroed(bytes).ok_or(BuildError::TensorTooLarge {
                    tensor: format!("#{t}"),
                    bytes,
                })
            })
            .collect::<Result<_, _>>()?;
        let slot = Box::new(Slot {
            seq: 0,
            tag: Tag::default(),
            failure: None,
            skipped: false,
            entered: None,
            tensors,
        });
        if free_tx.push(slot).is_err() {
            unreachable!("the free ring holds every slot");
        }
    }
    Ok((free_tx, free_rx))
}
