//go:build tools

// Package tools pins helm, the chart's linter and renderer in tests/chart, so `go mod tidy`
// keeps its module in go.mod and go.sum.
package tools

import (
	_ "helm.sh/helm/v3/cmd/helm"
)
