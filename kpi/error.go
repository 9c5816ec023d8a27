package kpi

import "errors"

// Errors the other packages check with errors.Is. The text a user reads for
// each of them is chosen in one place, in package dialogs.
var (
	// ErrNotFound means the thing asked for does not exist.
	ErrNotFound = errors.New("not found")
	// ErrUnavailable means the store could not be reached; the action may
	// succeed when retried later.
	ErrUnavailable = errors.New("storage unavailable")
	// ErrInvalid means the input broke a domain rule.
	ErrInvalid = errors.New("invalid input")
	// ErrConflict means someone else changed the thing first; nothing was
	// written and the action may be retried on fresh state.
	ErrConflict = errors.New("changed concurrently")
)
