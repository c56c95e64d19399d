//! The retention sweep.
