//! crosscheck: compare how news sources tell the same story.
//!
//! The library is a pipeline of plain functions, one module per stage:
//! [`load`] reads and decodes inputs, [`clean`] sets boilerplate aside and finds extraction
//! defects, [`segment`] splits prose into sentences and quotes, and [`output`] writes CSV.
//! [`pipeline`] wires them together (and alone uses threads).
//!
//! ```
//! use crosscheck::model::{DocId, Document};
//! use crosscheck::pipeline::segment_all;
//!
//! let document =
//!     Document::new(DocId(0), "example", "Mr. Witkoff said: “That’s what dealmakers do.” Nobody replied.");
//! let segmented = segment_all(&[document.clone()]);
//! let texts: Vec<&str> = segmented[0].units.iter().map(|u| u.span.of(&document.text)).collect();
//! assert_eq!(texts, ["Mr. Witkoff said: “That’s what dealmakers do.”", "That’s what dealmakers do.", "Nobody replied."]);
//! ```
pub mod align;
pub mod clean;
pub mod cli;
pub mod cluster;
pub mod divergence;
pub mod error;
pub mod evaluate;
pub mod load;
pub mod model;
pub mod names;
pub mod normalize;
pub mod output;
pub mod pipeline;
pub mod report;
pub mod score;
pub mod segment;
pub mod synth;
pub mod translit;
