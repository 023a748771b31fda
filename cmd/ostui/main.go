// Command ostui is a chat-first shell for OpenStack.
package main

import (
	"os"

	"github.com/kriscelmer/os-tui/internal/cli"
)

func main() {
	os.Exit(cli.Main())
}
