// Package audit keeps ostui's append-only audit log: one JSON record per
// line for every plan, approval, executed step, undo and denial, in
// stateDir/audit.jsonl.
//
// The log is written to survive crashes: each record is a single write of
// one whole line followed by an fsync, so a kill -9 can at worst leave one
// torn last line. Read skips (and counts) such lines instead of failing,
// and Open terminates a torn line before appending, so one crash never
// costs a later record. Step arguments are always redacted (see
// secrets.Redact) before they reach the disk.
package audit
