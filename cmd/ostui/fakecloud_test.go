package main

import (
	"github.com/rogpeppe/go-internal/testscript"
)

// setupScript isolates each transcript from the developer's environment.
func setupScript(env *testscript.Env) error {
	isolate(env)
	return nil
}
