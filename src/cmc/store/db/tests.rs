//! Unit tests of the database store.
