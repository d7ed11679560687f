package supervise

// Label keys and values of the PodGroup contract (components/labels.ts is the source of truth).
const (
	LabelGroup         = "podgroup.io/group"
	LabelRole          = "podgroup.io/role"
	LabelContainer     = "podgroup.io/container"
	LabelRestartPolicy = "podgroup.io/restart-policy"
	LabelInitIndex     = "podgroup.io/init-index"
	LabelMemberIndex   = "podgroup.io/member-index"
	LabelSharePID      = "podgroup.io/share-pid"
	LabelSupervised    = "podgroup.io/supervised"

	// SupervisedSelector selects every container the supervisor owns.
	SupervisedSelector = LabelSupervised + "=true"
)

// Role of a container in its group.
type Role string

const (
	RolePause  Role = "pause"
	RoleInit   Role = "init"
	RoleMember Role = "member"
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
