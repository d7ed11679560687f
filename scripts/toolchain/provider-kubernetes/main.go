// pulumi-resource-kubernetes: serves the Kubernetes provider of the provider/v4 module.
// schema-embed.json and terraform-mapping-embed.json are written by scripts/toolchain.sh from the
// module's committed schema.json (with "version" set) and terraform-mapping.json before the build.
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema-embed.json
var schema []byte

//go:embed terraform-mapping-embed.json
var terraformMapping []byte

func main() {
	provider.Serve("kubernetes", version.Version, schema, terraformMapping)
}
