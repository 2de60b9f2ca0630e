//go:build tools

// Package tools pins livekit-server: `go mod tidy` keeps the command's module in go.mod.
package tools

import _ "github.com/livekit/livekit-server/cmd/server"
