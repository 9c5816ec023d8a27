package storage

import (
	"context"
	"fmt"
	"strconv"
)

func userGroupsKey(user int64) string { return "kpi:user:" + strconv.FormatInt(user, 10) + ":groups" }

// AddUserGroup remembers that user acted as an admin of group chat, so that
// the user can later pick that group as a report destination.
func (s *Store) AddUserGroup(ctx context.Context, user, chat int64) error {
	err := s.rdb.SAdd(ctx, userGroupsKey(user), strconv.FormatInt(chat, 10)).Err()
	return wrap(fmt.Sprintf("add group %d of user %d", chat, user), err)
}

// UserGroups returns the groups where user acted as an admin.
func (s *Store) UserGroups(ctx context.Context, user int64) ([]int64, error) {
	ids, err := s.rdb.SMembers(ctx, userGroupsKey(user)).Result()
	if err != nil {
		return nil, wrap(fmt.Sprintf("groups of user %d", user), err)
	}
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		if n, err := strconv.ParseInt(id, 10, 64); err == nil {
			out = append(out, n)
		}
	}
	return out, nil
}
