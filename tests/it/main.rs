//! Integration tests, one harness (one link of TensorFlow Lite):
//! - `config_cases`: bad configurations, each refused with exit 2 by `check-config` and `run`
//! - `config_fuzz`: mutated configurations through `check-config` and `run`, which must agree
//! - `service`: `edgepipe run` under a notify socket, signals, reload, the UART on a pty
//! - `tiny`: tiny models built byte by byte (unsupported fields, ADD chains, Edge TPU ops)
//! - `uart`: the UART output on a pseudo-terminal pair
//! - `util`: test data lookup (skips when absent), temp dirs, running the binary
//! - `segment`: real models cut N ways chain bit-exactly to the whole model
//! - `refuse`: bad and unsupported models get clear errors, never panics
//! - `op_checks`, `shape_rules`: operators TensorFlow Lite would crash on; output shapes other
//!   than the kernels compute
//! - `fuzz`: mutated real models never panic the reader or the cutter
//! - `fuzz_commands`, `mutants`: mutants of real models through inspect, segment, verify and run
//! - `corpus`: every kind of model that ever crashed a command, byte-built, through all four
//! - `hostile`: links to the input, full disks, planted symlinks, FIFOs, /dev/zero, huge frames
//! - `balance`: latency-balanced cuts on real models
//! - `capture`: photos to labels end to end, frame sources, bad input
//! - `cli`: the commands, their files, output and exit codes
//! - `demo`: the README's first command on the repository's model and photos
//! - `engine`: every provider (builtin, system, litert); a fake libedgetpu up to the vendor boundary
//! - `litert`: the LiteRT provider's failures, refusals, absent library and default choice
//! - `fakes`: test engines with known arithmetic, delays and failures; a timeout guard
//! - `pipeline`: the pipelined runner against libcoral's tests and hazards
//! - `replicas`: replicated stages: order, failures, cancel, statistics, throughput
//! - `plan`: `plan` on simulated TPUs, `bench --plan` and its trace, bad plan input
//! - `simtpu`: the fake libedgetpu's latency model (simulated TPUs)
//! - `wake`: a results loop's waits: pop_or_wake, in_flight, shut_down past a stuck stage

mod balance;
mod capture;
mod cli;
mod config_cases;
mod config_fuzz;
mod corpus;
mod demo;
mod engine;
mod fakes;
mod fresh;
mod fuzz;
mod fuzz_commands;
mod hostile;
mod litert;
mod mutants;
mod op_checks;
mod panicking;
mod pipeline;
mod plan;
mod refuse;
mod replicas;
mod segment;
mod service;
mod shape_rules;
mod simtpu;
mod tiny;
mod uart;
mod util;
mod wake;
