package supervise

import "github.com/podgroup/podgroup/supervisor/internal/contract"

// Label keys of the PodGroup contract (contract/docker-contract.json, through package contract).
const (
	LabelGroup         = contract.LabelGroup
	LabelRole          = contract.LabelRole
	LabelContainer     = contract.LabelContainer
	LabelRestartPolicy = contract.LabelRestartPolicy
	LabelInitIndex     = contract.LabelInitIndex
	LabelMemberIndex   = contract.LabelMemberIndex
	LabelSharePID      = contract.LabelSharePID
	LabelSupervised    = contract.LabelSupervised

	LabelContainerRestartPolicy = contract.LabelContainerRestartPolicy
	LabelInitCount              = contract.LabelInitCount
	LabelMemberCount            = contract.LabelMemberCount
	LabelProbes                 = contract.LabelProbes
	LabelLifecycle              = contract.LabelLifecycle
	LabelTerminationMessage     = contract.LabelTerminationMessage

	// LabelSupervisor marks the supervisor's own container (value "true").
	LabelSupervisor = contract.LabelSupervisor

	// SupervisedSelector selects every container the supervisor owns.
	SupervisedSelector = LabelSupervised + "=true"
)

// Role of a container in its group.
type Role string

const (
	RolePause  Role = contract.RolePause
	RoleInit   Role = contract.RoleInit
	RoleMember Role = contract.RoleMember
)

// RestartPolicy is the group's Kubernetes restart policy.
type RestartPolicy string

const (
	RestartAlways    RestartPolicy = "Always"
	RestartOnFailure RestartPolicy = "OnFailure"
	RestartNever     RestartPolicy = "Never"
)

// ParseRestartPolicy reads the label value; anything unknown is Always (the Kubernetes default).
func ParseRestartPolicy(s string) RestartPolicy {
	switch RestartPolicy(s) {
	case RestartOnFailure, RestartNever:
		return RestartPolicy(s)
	default:
		return RestartAlways
	}
}
