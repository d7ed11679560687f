package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/structpb"
)

// exitBail is the code @pulumi/pulumi's run script exits with after it has already reported the
// error to the engine itself (cmd/run: nodeJSProcessExitedAfterLoggingUserActionableMessage).
const exitBail = 32

// Run starts the program with Node: `node [nodeargs] <node_modules>/@pulumi/pulumi/cmd/run
// --monitor ... PROGRAM ARGS...`, passing config through the environment as the SDK expects.
func (h *languageHost) Run(_ context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := req.GetInfo()
	programDir := info.GetProgramDirectory()
	if programDir == "" {
		programDir = req.GetPwd()
	}
	entry := info.GetEntryPoint()
	if entry == "" {
		entry = req.GetProgram() //nolint:staticcheck // older CLIs send only the deprecated field
	}
	if entry == "" {
		entry = "."
	}

	modules := nearestNodeModules(programDir)
	runScript := filepath.Join(modules, "@pulumi", "pulumi", "cmd", "run")
	if _, err := os.Stat(runScript); modules == "" || err != nil {
		return &pulumirpc.RunResponse{Error: fmt.Sprintf(
			"@pulumi/pulumi is not installed for the program in %s: run npm install", programDir)}, nil
	}

	node, err := exec.LookPath("node")
	if err != nil {
		return &pulumirpc.RunResponse{Error: "could not find node on $PATH"}, nil
	}

	opts := runtimeOptions(info.GetOptions())
	args := append([]string{}, opts.nodeArgs...)
	args = append(args, runScript)
	flag := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name, value)
		}
	}
	flag("monitor", req.GetMonitorAddress())
	flag("engine", h.engine())
	flag("organization", req.GetOrganization())
	flag("project", req.GetProject())
	flag("stack", req.GetStack())
	flag("pwd", req.GetPwd())
	flag("root-directory", info.GetRootDirectory())
	flag("parallel", strconv.Itoa(int(req.GetParallel())))
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	args = append(args, entry)
	args = append(args, req.GetArgs()...)

	// A stack with no config at all sends no map: the SDK expects an object, never "null".
	config := req.GetConfig()
	if config == nil {
		config = map[string]string{}
	}
	configJSON, err := json.Marshal(config)
	if err != nil {
		return nil, fmt.Errorf("serializing config: %w", err)
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secretKeysJSON, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, fmt.Errorf("serializing secret config keys: %w", err)
	}

	env := append(os.Environ(),
		"PULUMI_CONFIG="+string(configJSON),
		"PULUMI_CONFIG_SECRET_KEYS="+string(secretKeysJSON),
		"PULUMI_NODEJS_TYPESCRIPT="+strconv.FormatBool(opts.typescript),
	)
	if opts.tsconfig != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+opts.tsconfig)
	}

	cmd := exec.Command(node, args...)
	cmd.Dir = programDir
	cmd.Env = env
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			if exitErr.ExitCode() == exitBail {
				return &pulumirpc.RunResponse{Bail: true}, nil
			}
			return &pulumirpc.RunResponse{Error: fmt.Sprintf(
				"Program exited with non-zero exit code: %d", exitErr.ExitCode())}, nil
		}
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("could not run node: %v", err)}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}

type nodeOptions struct {
	typescript bool
	tsconfig   string
	nodeArgs   []string
}

// runtimeOptions reads Pulumi.yaml's `runtime.options` (typescript, tsconfig, nodeargs).
func runtimeOptions(s *structpb.Struct) nodeOptions {
	opts := nodeOptions{typescript: true}
	if s == nil {
		return opts
	}
	m := s.AsMap()
	if v, ok := m["typescript"].(bool); ok {
		opts.typescript = v
	}
	if v, ok := m["tsconfig"].(string); ok {
		opts.tsconfig = v
	}
	if v, ok := m["nodeargs"].(string); ok {
		opts.nodeArgs = strings.Fields(v)
	}
	return opts
}
