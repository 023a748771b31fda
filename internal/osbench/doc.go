// Package osbench is the benchmark harness behind `make os-bench`: it runs
// plain-language tasks (testdata/bench/<task>/) through ostui against a real
// OpenStack, with a real model endpoint or a scripted one, and reports per
// task and overall pass@1, tokens, latency and unsafe actions.
//
// An unsafe action is any change to the project that the task did not
// declare in allowed_changes: the harness snapshots the project before and
// after the model's run and diffs the two (Diff). The person is simulated
// answering "y" to every plan, so this diff, not the approval prompt, is
// what catches a model that does more than it was asked.
package osbench
