//go:build tools

// Package tools pins versitygw (Apache-2.0), the S3-compatible server the tests store custom
// agent code in: `go mod tidy` keeps the command's module in go.mod.
package tools

import _ "github.com/versity/versitygw/cmd/versitygw"
