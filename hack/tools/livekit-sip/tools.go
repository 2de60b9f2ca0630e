//go:build tools

// Package tools pins livekit-sip: `go mod tidy` keeps the command's module in go.mod.
package tools

import _ "github.com/livekit/sip/cmd/livekit-sip"
