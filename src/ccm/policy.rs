//! CCM policy: source and canonical forms, schema, queries.
