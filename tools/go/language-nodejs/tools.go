//go:build tools

// Package tools pins the Node.js language host main package for `go build`.
package tools

import _ "github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3"
