//go:build tools

// Package tools pins the kwok controller and kwokctl main packages.
package tools

import (
	_ "sigs.k8s.io/kwok/cmd/kwok"
	_ "sigs.k8s.io/kwok/cmd/kwokctl"
)
