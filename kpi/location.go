package kpi

import (
	"sync"
	"time"
)

// locations caches the zones LoadLocation has loaded: time.LoadLocation
// reads and parses the zone data on every call, and a /log needs the
// workspace's zone more than once.
var locations sync.Map // name -> *time.Location

// LoadLocation is time.LoadLocation, cached. Only zones that load are
// kept, so the cache holds at most the IANA names in use.
func LoadLocation(name string) (*time.Location, error) {
	if l, ok := locations.Load(name); ok {
		return l.(*time.Location), nil
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	locations.Store(name, l)
	return l, nil
}
