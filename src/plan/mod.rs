//! Planning the devices: how many segments, where to cut, how many replicas of each segment
//! and on which kind of device, to maximise throughput (or to minimise latency at a required
//! throughput), from a table of segment latencies per device kind ([`search`]).

pub mod search;
