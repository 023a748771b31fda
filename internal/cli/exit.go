package cli

import (
	"context"
	"errors"

	"github.com/kriscelmer/os-tui/agent/router"
)

// Exit codes.
const (
	ExitOK    = 0
	ExitError = 1
	ExitUsage = 2
)

// usageError is a mistake in how ostui itself was invoked.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// silentError has already been reported; only its exit code matters.
type silentError struct{ code int }

func (e *silentError) Error() string { return "" }

// ExitCode maps an error to the process exit code, in one place.
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var ue *usageError
	var re *router.UsageError
	var uc *router.UnknownCommandError
	var se *silentError
	switch {
	case errors.As(err, &se):
		return se.code
	case errors.As(err, &ue), errors.As(err, &re), errors.As(err, &uc):
		return ExitUsage
	case errors.Is(err, context.Canceled):
		return ExitError
	}
	return ExitError
}
