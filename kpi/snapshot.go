package kpi

// Snapshot is a workspace and its current plan as they stand.
type Snapshot struct {
	Workspace    Workspace
	HasWorkspace bool
	Plan         Plan
	HasPlan      bool
}
