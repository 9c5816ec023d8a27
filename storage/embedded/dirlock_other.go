//go:build !unix

package embedded

import (
	"errors"
	"os"
)

// lockDir is only implemented on unix (flock).
func lockDir(dir string) (*os.File, error) {
	return nil, errors.New("embedded store: data dir locking is only supported on unix")
}
