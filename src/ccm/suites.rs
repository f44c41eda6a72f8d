//! The TLS cipher suites a CCM may name.
