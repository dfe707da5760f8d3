//go:build tools

// Package tools pins the Prometheus server main package (github.com/prometheus/prometheus/cmd/prometheus).
package tools

import _ "github.com/prometheus/prometheus/cmd/prometheus"
