// Package shim exposes kreuzwerker's SDKv2 docker provider, which lives in an internal package.
package shim

import (
	"github.com/hashicorp/terraform-plugin-sdk/v2/helper/schema"
	"github.com/terraform-providers/terraform-provider-docker/internal/provider"
)

// NewProvider returns the Terraform docker provider (resources and data sources of the SDKv2 half;
// kreuzwerker's plugin-framework half is not bridged).
func NewProvider(version string) *schema.Provider {
	return provider.New(version)()
}
