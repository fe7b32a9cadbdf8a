//! Integration tests: one binary (as ripgrep does), one module per concern.

mod align_gold;
mod bad_input;
mod chrf_reference;
mod cli;
mod golden;
mod names_gold;
mod props;
mod seed_alignment;
mod seed_names;
mod support;
