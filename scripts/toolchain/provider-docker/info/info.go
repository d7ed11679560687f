// Package info is the tfbridge.ProviderInfo of pulumi-resource-docker.
package info

import (
	"unicode"

	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	shimv2 "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfshim/sdk-v2"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/terraform-providers/terraform-provider-docker/shim"
)

// token builds "docker:index/<lowerFirst(name)>:<name>", the form of every token in @pulumi/docker.
func token(name string) string {
	r := []rune(name)
	r[0] = unicode.ToLower(r[0])
	return "docker:index/" + string(r) + ":" + name
}

func resource(name string) *tfbridge.ResourceInfo {
	return &tfbridge.ResourceInfo{Tok: tokens.Type(token(name))}
}

func dataSource(name string) *tfbridge.DataSourceInfo {
	return &tfbridge.DataSourceInfo{Tok: tokens.ModuleMember(token(name))}
}

// Provider maps kreuzwerker's Terraform names onto the tokens and property names of the npm
// @pulumi/docker 5.2.0 SDK (node_modules/@pulumi/docker/*.js and *.d.ts).
func Provider(version string) tfbridge.ProviderInfo {
	container := resource("Container")
	// The SDK replaces a container by deleting it first (names are unique on a daemon).
	container.DeleteBeforeReplace = true
	container.Fields = map[string]*tfbridge.SchemaInfo{
		// A list, but one command: the SDK calls it `command`, not `commands`.
		"command": {Name: "command"},
		// A list of blocks whose SDK name stays singular-looking.
		"networks_advanced": {Name: "networksAdvanced"},
	}
	remoteImage := resource("RemoteImage")
	remoteImage.Fields = map[string]*tfbridge.SchemaInfo{"name": {Name: "name"}}

	tf := shim.NewProvider(version)
	// memory_swap is Optional only, but Read stores the daemon's value (Docker picks 2x memory when
	// it is unset): every preview after `up` would propose removing it. Optional+Computed keeps the
	// daemon's value when the program sets none.
	tf.ResourcesMap["docker_container"].Schema["memory_swap"].Computed = true

	prov := tfbridge.ProviderInfo{
		P:           shimv2.NewProvider(tf),
		Name:        "docker",
		Version:     version,
		Description: "PodGroup's own bridge build of kreuzwerker/terraform-provider-docker",
		Config: map[string]*tfbridge.SchemaInfo{
			"host": {Default: &tfbridge.DefaultInfo{
				Value:   "unix:///var/run/docker.sock",
				EnvVars: []string{"DOCKER_HOST"},
			}},
			// config.js reads `registryAuth` (a list, not pluralised).
			"registry_auth": {Name: "registryAuth", MaxItemsOne: tfbridge.False()},
		},
		Resources: map[string]*tfbridge.ResourceInfo{
			"docker_container":      container,
			"docker_image":          remoteImage,
			"docker_registry_image": resource("RegistryImage"),
			"docker_network":        resource("Network"),
			"docker_volume":         resource("Volume"),
			"docker_config":         resource("ServiceConfig"),
			"docker_secret":         resource("Secret"),
			"docker_service":        resource("Service"),
			"docker_plugin":         resource("Plugin"),
			"docker_tag":            resource("Tag"),
			"docker_buildx_builder": resource("BuildxBuilder"),
		},
		DataSources: map[string]*tfbridge.DataSourceInfo{
			"docker_network":                  dataSource("getNetwork"),
			"docker_registry_image":           dataSource("getRegistryImage"),
			"docker_registry_image_manifests": dataSource("getRegistryImageManifests"),
			"docker_plugin":                   dataSource("getPlugin"),
			"docker_image":                    dataSource("getRemoteImage"),
			"docker_logs":                     dataSource("getLogs"),
		},
	}
	// Like the SDK: `name` is optional and defaults to "<resource name>-<random suffix>".
	prov.SetAutonaming(255, "-")
	return prov
}
