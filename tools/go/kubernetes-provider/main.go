// Command pulumi-resource-kubernetes serves the Pulumi Kubernetes provider from its Go module.
//
// The upstream main embeds files its Makefile generates before `go build` and never commits, so it
// cannot be built from the module cache. tools/bootstrap.sh writes the same two files next to this one
// (the module's schema.json with the version stamped, and its terraform-mapping.json compacted);
// they are not part of the repository.
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema-embed.json
var pulumiSchema []byte

//go:embed terraform-mapping-embed.json
var terraformMapping []byte

func main() {
	provider.Serve("kubernetes", version.Version, pulumiSchema, terraformMapping)
}
