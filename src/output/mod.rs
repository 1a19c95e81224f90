//! Where classifications go: a line protocol on a UART ([`uart`], [`protocol`]) and GPIO lines
//! ([`gpio`]).

pub mod gpio;
pub mod protocol;
pub mod uart;
