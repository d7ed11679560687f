// pulumi-resource-docker: the project's OWN Pulumi bridge build of kreuzwerker/terraform-provider-docker
// at commit 96d331c98ff4 (2026-09-16), NOT upstream pulumi-docker's binary (its provider/v5 module is
// not served by the Go module proxy). It reports version 5.2.0 because the npm @pulumi/docker 5.2.0
// SDK asks the engine for exactly that plugin version. Only the Terraform-bridged resources are
// served; docker:index/image:Image (upstream's native buildkit resource) is not.
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"

	"podgroup.local/toolchain/provider-docker/info"
)

// version is set with -ldflags "-X main.version=..." by build.sh.
var version = "5.2.0"

// schema is a minimal Pulumi package schema: the engine does not ask for it during
// preview/up/destroy; it only answers `pulumi package get-schema`.
//
//go:embed schema.json
var schema []byte

func main() {
	tfbridge.Main("docker", version, info.Provider(version), schema)
}
