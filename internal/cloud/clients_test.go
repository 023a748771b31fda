package cloud_test

import (
	"github.com/kriscelmer/os-tui/internal/cloud"
	"github.com/kriscelmer/os-tui/tools"
)

// Conn must keep satisfying what tools need of a cloud.
var _ tools.Clients = (*cloud.Conn)(nil)
