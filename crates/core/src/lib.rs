//! BuyerLens core (买家画像): read a pasted or exported customer-service
//! chat, tell buyer from shop, and classify the buyer — purchase motives,
//! online-shopping experience, purchase intent and routine question topics —
//! with the evidence behind every label.
//!
//! Plain types in, plain types out: no UI, no global state.
//!
//! # Example
//!
//! ```
//! use buyerlens_core::{Classifier, Lexicon};
//!
//! let classifier = Classifier::new(&Lexicon::default_lexicon()).unwrap();
//! let result = classifier.classify("买家：能包邮吗\n客服：亲，包邮的哦").unwrap();
//! assert!(result.motives.iter().any(|m| m.code.code() == "bargain"));
//! ```

#![deny(missing_docs)]

pub mod classify;
pub mod decode;
pub mod error;
pub mod eval;
pub mod import;
pub mod label;
pub mod lexicon;
pub mod model;
pub mod normalize;
pub mod privacy;
pub mod sample;
pub mod store;
pub mod suggest;
pub mod transcript;

pub use classify::Classifier;
pub use error::{Error, Result};
pub use label::{Axis, Label};
pub use lexicon::Lexicon;
pub use model::{Classification, Evidence, Format, LabelScore, Message, Speaker};
pub use store::Store;
