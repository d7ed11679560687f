package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// An npm package that brings a Pulumi resource provider declares it in its package.json:
// "pulumi": {"resource": true, "name": "docker", "version": "5.2.0", "server": "..."}.
type packageJSON struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Pulumi  struct {
		Resource bool   `json:"resource"`
		Name     string `json:"name"`
		Version  string `json:"version"`
		Server   string `json:"server"`
	} `json:"pulumi"`
}

func (h *languageHost) GetRequiredPackages(
	_ context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	deps, err := providerPackages(req.GetInfo().GetProgramDirectory())
	if err != nil {
		return nil, err
	}
	resp := &pulumirpc.GetRequiredPackagesResponse{}
	for _, d := range deps {
		resp.Packages = append(resp.Packages, &pulumirpc.PackageDependency{
			Kind: "resource", Name: d.name, Version: d.version, Server: d.server,
		})
	}
	return resp, nil
}

func (h *languageHost) GetRequiredPlugins(
	_ context.Context, req *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	dir := req.GetInfo().GetProgramDirectory()
	if dir == "" {
		dir = req.GetProgram() //nolint:staticcheck // older CLIs send only the deprecated field
	}
	deps, err := providerPackages(dir)
	if err != nil {
		return nil, err
	}
	resp := &pulumirpc.GetRequiredPluginsResponse{}
	for _, d := range deps {
		resp.Plugins = append(resp.Plugins, &pulumirpc.PluginDependency{
			Kind: "resource", Name: d.name, Version: d.version, Server: d.server,
		})
	}
	return resp, nil
}

type providerPackage struct{ name, version, server string }

// providerPackages lists the provider plugins declared by the packages in the node_modules
// folder nearest to dir (walking up, as Node's module resolution does), nested ones included.
func providerPackages(dir string) ([]providerPackage, error) {
	modules := nearestNodeModules(dir)
	if modules == "" {
		return nil, nil
	}
	found := map[string]providerPackage{}
	if err := scanNodeModules(modules, found, 0); err != nil {
		return nil, err
	}
	out := make([]providerPackage, 0, len(found))
	for _, p := range found {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].name+"@"+out[i].version < out[j].name+"@"+out[j].version
	})
	return out, nil
}

func nearestNodeModules(dir string) string {
	if dir == "" {
		dir = "."
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	for {
		candidate := filepath.Join(dir, "node_modules")
		if st, err := os.Stat(candidate); err == nil && st.IsDir() {
			return candidate
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// scanNodeModules reads every package of one node_modules folder (scoped ones too) and recurses
// into their own node_modules; depth bounds pathological symlink loops.
func scanNodeModules(modules string, found map[string]providerPackage, depth int) error {
	if depth > 8 {
		return nil
	}
	entries, err := os.ReadDir(modules)
	if err != nil {
		return fmt.Errorf("reading %s: %w", modules, err)
	}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			continue
		}
		path := filepath.Join(modules, name)
		if strings.HasPrefix(name, "@") {
			if err := scanNodeModules(path, found, depth); err != nil {
				return err
			}
			continue
		}
		if p, ok, err := readProviderPackage(filepath.Join(path, "package.json")); err != nil {
			return err
		} else if ok {
			found[p.name+"@"+p.version] = p
		}
		nested := filepath.Join(path, "node_modules")
		if st, err := os.Stat(nested); err == nil && st.IsDir() {
			if err := scanNodeModules(nested, found, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

func readProviderPackage(file string) (providerPackage, bool, error) {
	b, err := os.ReadFile(file)
	if os.IsNotExist(err) {
		return providerPackage{}, false, nil
	} else if err != nil {
		return providerPackage{}, false, err
	}
	var pkg packageJSON
	if err := json.Unmarshal(b, &pkg); err != nil {
		return providerPackage{}, false, fmt.Errorf("parsing %s: %w", file, err)
	}
	if !pkg.Pulumi.Resource {
		return providerPackage{}, false, nil
	}
	name := pkg.Pulumi.Name
	if name == "" {
		// "@pulumi/docker" provides "docker"; other scopes keep their scope without the "@".
		name = strings.TrimPrefix(strings.TrimPrefix(pkg.Name, "@pulumi/"), "@")
	}
	version := pkg.Pulumi.Version
	if version == "" {
		version = pkg.Version
	}
	if version != "" && !strings.HasPrefix(version, "v") {
		version = "v" + version
	}
	return providerPackage{name: name, version: version, server: pkg.Pulumi.Server}, true, nil
}
