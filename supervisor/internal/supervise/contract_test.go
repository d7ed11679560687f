package supervise

import (
	"reflect"
	"strings"
	"testing"

	"github.com/podgroup/podgroup/supervisor/internal/contract"
)

// jsonKeys lists the JSON keys of a struct type, in field order.
func jsonKeys(t reflect.Type) []string {
	var keys []string
	for i := 0; i < t.NumField(); i++ {
		if tag := t.Field(i).Tag.Get("json"); tag != "" && tag != "-" {
			keys = append(keys, strings.Split(tag, ",")[0])
		}
	}
	return keys
}

// The status file's keys are the contract's (contract/docker-contract.json, "status"): the
// harness (harness/adapters/supervisor-status.ts) reads them by those names.
func TestStatusFileKeysAreTheContracts(t *testing.T) {
	for _, c := range []struct {
		what string
		typ  reflect.Type
		want []string
	}{
		{"group", reflect.TypeFor[GroupStatus](), contract.StatusGroupFields},
		{"container", reflect.TypeFor[ContainerStatus](), contract.StatusContainerFields},
		{"sandbox", reflect.TypeFor[SandboxStatus](), contract.StatusSandboxFields},
	} {
		if got := jsonKeys(c.typ); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s status keys: Go writes %q, the contract lists %q", c.what, got, c.want)
		}
	}
}

// The binary's default state directory is where the DockerSupervisor component mounts the host's.
func TestDefaultStateDirIsTheMount(t *testing.T) {
	if contract.OptionStateDir.Default != contract.SupervisorStateMount {
		t.Fatalf("default state dir %q, mount %q", contract.OptionStateDir.Default, contract.SupervisorStateMount)
	}
}
