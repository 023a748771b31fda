// Command llmtest serves a scripted OpenAI-compatible model on loopback,
// for trying the shell's plain-language side without a real model, and
// for the os-bench harness:
//
//	go run ./cmd/llmtest --addr 127.0.0.1:8089 --script turns.yaml
//	OPENAI_BASE_URL=http://127.0.0.1:8089/v1 OSTUI_MODEL=scripted ostui
package main

import (
	"os"

	"github.com/kriscelmer/os-tui/internal/llm/llmtest"
)

func main() { os.Exit(llmtest.Main(os.Args[1:])) }
