//! Statistical tests against closed-form results.
