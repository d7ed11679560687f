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
		{"pod container status", reflect.TypeFor[PodContainerStatus](), contract.StatusPodContainerStatusFields},
		{"container state", reflect.TypeFor[ContainerState](), contract.StatusContainerStateFields},
		{"terminated state", reflect.TypeFor[ContainerStateTerminated](), contract.StatusTerminatedFields},
		{"condition", reflect.TypeFor[PodCondition](), contract.StatusConditionFields},
	} {
		if got := jsonKeys(c.typ); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s status keys: Go writes %q, the contract lists %q", c.what, got, c.want)
		}
	}
}

// The status file's pod conditions are the contract's types, in its order.
func TestStatusConditionTypesAreTheContracts(t *testing.T) {
	fake := newFakeDocker()
	fake.declare("g", RestartAlways, nil, nil, []string{"web"})
	r := newReconciler(t, fake)
	syncGroup(t, r, "g")
	var got []string
	for _, c := range r.status("g").Conditions {
		got = append(got, c.Type)
	}
	if !reflect.DeepEqual(got, contract.StatusConditionTypes) {
		t.Fatalf("condition types %q, the contract lists %q", got, contract.StatusConditionTypes)
	}
}

// The binary's default state directory is where the DockerSupervisor component mounts the host's.
func TestDefaultStateDirIsTheMount(t *testing.T) {
	if contract.OptionStateDir.Default != contract.SupervisorStateMount {
		t.Fatalf("default state dir %q, mount %q", contract.OptionStateDir.Default, contract.SupervisorStateMount)
	}
}
