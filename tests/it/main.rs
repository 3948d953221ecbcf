//! The integration tests: one binary, one module per area.

mod alloc;
mod basics;
mod boundaries;
mod browser;
mod calendar;
mod check;
mod conform;
mod docs;
mod fit;
mod fixtures;
mod history;
mod invalid;
mod layers;
mod naive;
mod plan;
mod policies;
mod reports;
mod scenario_keys;
mod sim;
mod sweep;
mod teams;
mod util;

#[global_allocator]
static ALLOCATOR: alloc::Counting = alloc::Counting;
