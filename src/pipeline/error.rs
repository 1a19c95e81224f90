//! Why a pipeline call did not do what was asked: errors are values, one type per call.

use super::MAX_CAPACITY;

/// Why a pipeline cannot be built. Nothing has been started when this is returned.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// No segments.
    #[error("a pipeline needs at least one segment")]
    NoSegments,
    /// Capacity out of range.
    #[error("capacity must be between 1 and {MAX_CAPACITY} requests in flight, got {0}")]
    Capacity(usize),
    /// A segment reads a tensor that a later segment writes.
    #[error(
        "segment {segment} reads tensor '{tensor}', which segment {writer} writes after it: \
         are the segments in order?"
    )]
    OutOfOrder {
        /// The reading segment.
        segment: usize,
        /// The tensor.
        tensor: String,
        /// The later segment writing it.
        writer: usize,
    },
    /// Two segments write the same tensor name.
    #[error("segments {first} and {second} both write tensor '{tensor}'")]
    WrittenTwice {
        /// The first writer.
        first: usize,
        /// The second writer.
        second: usize,
        /// The tensor.
        tensor: String,
    },
    /// Producer and consumer disagree on a tensor.
    #[error("segment {segment} reads tensor '{tensor}' as {expected}, but it arrives as {got}")]
    Mismatch {
        /// The reading segment.
        segment: usize,
        /// The tensor.
        tensor: String,
        /// What the reader expects.
        expected: String,
        /// What arrives.
        got: String,
    },
    /// A stage has no engine.
    #[error("segment {0} has no replicas: give it at least one engine")]
    NoReplicas(usize),
    /// Replicas of one stage disagree on their tensors.
    #[error(
        "replica {replica} of segment {segment} has {got}, but replica 0 has {expected}: \
         replicas must run the same segment"
    )]
    ReplicaMismatch {
        /// The segment.
        segment: usize,
        /// The disagreeing replica.
        replica: usize,
        /// What replica 0 has.
        expected: String,
        /// What this replica has.
        got: String,
    },
    /// A tensor too large to allocate a slot for.
    #[error("tensor '{tensor}' of {bytes} bytes is too large for a pipeline slot")]
    TensorTooLarge {
        /// The tensor.
        tensor: String,
        /// Its size.
        bytes: usize,
    },
    /// The operating system would not start a thread.
    #[error("cannot start the thread of segment {segment}: {cause}")]
    Spawn {
        /// The segment.
        segment: usize,
        /// The OS error.
        cause: std::io::Error,
    },
}

/// A segment's failure, as the caller sees it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("segment {segment}{} failed on request {request}: {message}", replica_label(*.replica))]
pub struct StageFailure {
    /// The failing segment.
    pub segment: usize,
    /// The replica of the segment that failed, when the stage is replicated.
    pub replica: Option<usize>,
    /// The request (push order, from 0) it failed on.
    pub request: u64,
    /// What the engine said.
    pub message: String,
}

fn replica_label(replica: Option<usize>) -> String {
    replica.map_or_else(String::new, |r| format!(" (replica {r})"))
}

/// Why a push did not go in.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PushError {
    /// The stream was closed (or the receiver dropped).
    #[error("the pipeline is closed")]
    Closed,
    /// A segment failed earlier.
    #[error("the pipeline stopped: {0}")]
    Failed(StageFailure),
    /// The request does not fit the pipeline's inputs.
    #[error("input {index} ('{name}') needs {expected} bytes, got {got}")]
    BadInput {
        /// Input position.
        index: usize,
        /// Input name.
        name: String,
        /// Bytes expected.
        expected: usize,
        /// Bytes given.
        got: usize,
    },
    /// Wrong number of inputs.
    #[error("the pipeline takes {expected} input tensor(s), got {got}")]
    InputCount {
        /// Inputs expected.
        expected: usize,
        /// Inputs given.
        got: usize,
    },
}

/// Why a `try_push` did not go in.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TryPushError {
    /// Every slot is in flight: the request was not taken.
    #[error("the pipeline is full")]
    Full,
    /// Any reason a blocking push would also fail.
    #[error(transparent)]
    Push(#[from] PushError),
}

/// Why a close did nothing.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("the pipeline was already closed")]
pub struct AlreadyClosed;

/// Why `pop` returned no result.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PopError {
    /// A segment failed on this request; earlier results were all delivered.
    #[error(transparent)]
    StageFailed(StageFailure),
}
