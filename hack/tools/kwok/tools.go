//go:build tools

// Package tools keeps the commands' packages in go.mod; the binaries are built from tool.json.
package tools

import _ "sigs.k8s.io/kwok/cmd/kwok"
