// namecheck prints the Pulumi property paths pulumi-resource-docker maps each Terraform field to
// (one line per field: TOKEN PULUMI.PATH <- tf.path), to compare with node_modules/@pulumi/docker/*.d.ts.
// Usage: go run ./namecheck [TOKEN_SUBSTRING]
package main

import (
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	shim "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfshim"

	"podgroup.local/toolchain/provider-docker/info"
)

func walk(tok, ppath, tpath string, m shim.SchemaMap, infos map[string]*tfbridge.SchemaInfo) {
	var keys []string
	m.Range(func(k string, _ shim.Schema) bool { keys = append(keys, k); return true })
	sort.Strings(keys)
	for _, k := range keys {
		s, _ := m.GetOk(k)
		name := tfbridge.TerraformToPulumiNameV2(k, m, infos)
		var fi *tfbridge.SchemaInfo
		if infos != nil {
			fi = infos[k]
		}
		fmt.Printf("%s %s%s <- %s%s\n", tok, ppath, name, tpath, k)
		if r, ok := s.Elem().(shim.Resource); ok {
			var sub map[string]*tfbridge.SchemaInfo
			if fi != nil && fi.Elem != nil {
				sub = fi.Elem.Fields
			}
			walk(tok, ppath+name+".", tpath+k+".", r.Schema(), sub)
		}
	}
}

func main() {
	filter := ""
	if len(os.Args) > 1 {
		filter = os.Args[1]
	}
	p := info.Provider("5.2.0")
	p.P.ResourcesMap().Range(func(tf string, r shim.Resource) bool {
		ri := p.Resources[tf]
		if ri == nil {
			fmt.Printf("UNMAPPED resource %s\n", tf)
			return true
		}
		if strings.Contains(string(ri.Tok), filter) {
			walk(string(ri.Tok), "", "", r.Schema(), ri.Fields)
		}
		return true
	})
	p.P.DataSourcesMap().Range(func(tf string, r shim.Resource) bool {
		if p.DataSources[tf] == nil {
			fmt.Printf("UNMAPPED data source %s\n", tf)
		}
		return true
	})
}
