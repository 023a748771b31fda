// Package repl holds ostui's interactive prompt: a line editor behind a small
// interface (Editor, built by New on top of github.com/ergochat/readline) and
// the read–handle loop (Loop) that turns Ctrl-C into "cancel the running
// command" instead of "kill the shell".
//
// Nothing outside this package imports readline; see docs/adr/0002-line-editor.md
// for why the editor is ergochat/readline and why it sits behind Editor.
package repl
