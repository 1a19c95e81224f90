//! Wiring: checks the chain, allocates every slot and ring, starts one thread per segment and
//! hands back the two endpoints.

use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Instant;

use super::error::BuildError;
use super::receiver::Receiver;
use super::ring::{self, Consumer, Producer};
use super::route::{self, route};
use super::sender::Sender;
use super::stage::Stage;
use super::stats::StageCounters;
use super::stream::Stream;
use super::{MAX_CAPACITY, PipelineConfig, Shared, Slot, Tag};
use crate::engine::Engine;

/// Builds a pipeline from segments already bound to their devices, in chain order. Checks
/// the chain, allocates every slot, then starts one thread per segment.
pub fn build(
    engines: Vec<Box<dyn Engine>>,
    config: &PipelineConfig,
) -> Result<(Sender, Receiver), BuildError> {
    if engines.is_empty() {
        return Err(BuildError::NoSegments);
    }
    let n = engines.len();
    let capacity = config.capacity.unwrap_or(2 * n + 1);
    if capacity == 0 || capacity > MAX_CAPACITY {
        return Err(BuildError::Capacity(capacity));
    }
    let routes = route(&route::io_of(&engines))?;
    let shared = Arc::new(Shared {
        stream: Stream::new(n),
        counters: (0..n).map(|_| StageCounters::default()).collect(),
        inputs: routes.input_specs.clone(),
        outputs: routes.output_specs.clone(),
        capacity,
        started: Instant::now(),
    });

    // Rings: free slots (receiver -> sender), then sender -> stage 0 -> ... -> receiver.
    // Each holds every slot, so a push into one never finds it full.
    let (mut free_tx, free_rx) = ring::ring::<Slot>(capacity);
    for _ in 0..capacity {
        let tensors = routes
            .sizes
            .iter()
            .map(|&b| vec![0u8; b].into_boxed_slice())
            .collect();
        let slot = Box::new(Slot {
            seq: 0,
            tag: Tag::default(),
            failure: None,
            tensors,
        });
        if free_tx.push(slot).is_err() {
            unreachable!("the free ring holds every slot");
        }
    }
    let mut hops: Vec<(Producer<Slot>, Consumer<Slot>)> =
        (0..=n).map(|_| ring::ring(capacity)).collect();
    let (first, mut next_rx) = hops.remove(0);
    let mut threads = Vec::with_capacity(n);
    for (s, (engine, (ins, outs))) in engines.into_iter().zip(routes.stages).enumerate() {
        let (tx, rx) = hops.remove(0);
        let stage = Stage {
            index: s,
            engine,
            input: next_rx,
            output: tx,
            ins,
            outs,
            shared: shared.clone(),
        };
        next_rx = rx;
        let spawned = std::thread::Builder::new()
            .name(format!("edgepipe-seg{s}"))
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
    let sender = Sender::new(shared.clone(), free_rx, first, routes.inputs);
    let receiver = Receiver::new(shared, next_rx, free_tx, threads, routes.outputs);
    Ok((sender, receiver))
}
