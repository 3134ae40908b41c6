package community_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/timestamppb"

	communityv1 "github.com/jangteo/jangteo/gen/go/jangteo/community/v1"
	identityv1 "github.com/jangteo/jangteo/gen/go/jangteo/identity/v1"
	"github.com/jangteo/jangteo/services/community"
)

func TestProfilesFromIdentity(t *testing.T) {
	t.Parallel()
	e := start(t)
	id := uuid.NewString()
	t0 := time.Now().Add(-time.Hour)
	e.publish(t, "identity", "identity.user_registered", uuid.NewString(), &identityv1.UserRegistered{
		UserId: id, Email: "minji@example.com", Name: "김민지", OccurTime: timestamppb.New(t0),
	})
	eventually(t, "profile by id", func() bool {
		p, err := e.client.GetProfile(visitor, &communityv1.GetProfileRequest{Username: id})
		return err == nil && p.GetProfile().GetName() == "김민지"
	})
	changed := &identityv1.UserProfileChanged{
		UserId: id, Username: "Minji_01", Name: "민지", AvatarUrl: "https://cdn.example/m.png", OccurTime: timestamppb.New(t0.Add(time.Minute)),
	}
	eventID := uuid.NewString()
	e.publish(t, "identity", "identity.user_profile_changed", eventID, changed)
	e.publish(t, "identity", "identity.user_profile_changed", eventID, changed) // a relay's retry
	// A late, older event changes nothing.
	e.publish(t, "identity", "identity.user_profile_changed", uuid.NewString(), &identityv1.UserProfileChanged{
		UserId: id, Username: "old_name", Name: "옛 이름", OccurTime: timestamppb.New(t0.Add(time.Second)),
	})
	e.publish(t, "identity", "identity.user_registered", uuid.NewString(), &identityv1.UserRegistered{
		UserId: id, Name: "김민지", OccurTime: timestamppb.New(t0),
	})
	var p *communityv1.Profile
	eventually(t, "profile by username", func() bool {
		resp, err := e.client.GetProfile(visitor, &communityv1.GetProfileRequest{Username: "minji_01"})
		p = resp.GetProfile()
		return err == nil
	})
	time.Sleep(300 * time.Millisecond) // let the late events land
	p = must(e.client.GetProfile(visitor, &communityv1.GetProfileRequest{Username: "minji_01"})).GetProfile()
	if p.GetUserId() != id || p.GetName() != "민지" || p.GetAvatarUrl() != "https://cdn.example/m.png" || p.IsFollowing != nil || p.GetIsMe() {
		t.Fatalf("profile = %v", p)
	}
	_, err := e.client.GetProfile(visitor, &communityv1.GetProfileRequest{Username: "old_name"})
	wantCode(t, err, codes.NotFound, "username")
}

func TestFollows(t *testing.T) {
	t.Parallel()
	e := start(t)
	minji := e.newUser(t, "minji", "김민지")
	jisoo := e.newUser(t, "jisoo", "박지수")
	hana := e.newUser(t, "hana", "이하나")

	for range 2 {
		p := must(e.client.FollowProfile(jisoo.ctx, &communityv1.FollowProfileRequest{Username: "minji"})).GetProfile()
		if p.GetFollowerCount() != 1 || !p.GetIsFollowing() {
			t.Fatalf("after follow = %v", p)
		}
	}
	must(e.client.FollowProfile(hana.ctx, &communityv1.FollowProfileRequest{Username: "MINJI"}))
	must(e.client.FollowProfile(minji.ctx, &communityv1.FollowProfileRequest{Username: jisoo.id}))

	own := must(e.client.GetProfile(minji.ctx, &communityv1.GetProfileRequest{Username: "minji"})).GetProfile()
	if own.IsFollowing != nil || !own.GetIsMe() || own.GetFollowerCount() != 2 || own.GetFollowingCount() != 1 {
		t.Fatalf("own profile = %v", own)
	}
	if p := must(e.client.GetProfile(hana.ctx, &communityv1.GetProfileRequest{Username: "jisoo"})).GetProfile(); p.IsFollowing == nil || p.GetIsFollowing() {
		t.Fatalf("hana sees jisoo as %v", p)
	}
	followers := must(e.client.ListFollowers(visitor, &communityv1.ListFollowersRequest{Username: "minji", PageSize: 1}))
	if len(followers.GetProfiles()) != 1 || followers.GetProfiles()[0].GetUsername() != "hana" || followers.GetNextCursor() == "" {
		t.Fatalf("followers page 1 = %v", followers)
	}
	more := must(e.client.ListFollowers(visitor, &communityv1.ListFollowersRequest{Username: "minji", PageSize: 1, Cursor: followers.GetNextCursor()}))
	if len(more.GetProfiles()) != 1 || more.GetProfiles()[0].GetUsername() != "jisoo" || more.GetNextCursor() != "" {
		t.Fatalf("followers page 2 = %v", more)
	}
	following := must(e.client.ListFollowing(jisoo.ctx, &communityv1.ListFollowingRequest{Username: "jisoo"})).GetProfiles()
	if len(following) != 1 || following[0].GetUsername() != "minji" || !following[0].GetIsFollowing() {
		t.Fatalf("following = %v", following)
	}

	for range 2 {
		p := must(e.client.UnfollowProfile(jisoo.ctx, &communityv1.UnfollowProfileRequest{Username: "minji"})).GetProfile()
		if p.GetFollowerCount() != 1 || p.GetIsFollowing() {
			t.Fatalf("after unfollow = %v", p)
		}
	}
	_, err := e.client.FollowProfile(minji.ctx, &communityv1.FollowProfileRequest{Username: "minji"})
	wantCode(t, err, codes.InvalidArgument, "username")
	_, err = e.client.FollowProfile(minji.ctx, &communityv1.FollowProfileRequest{Username: "nobody"})
	wantCode(t, err, codes.NotFound, "username")
	_, err = e.client.FollowProfile(visitor, &communityv1.FollowProfileRequest{Username: "minji"})
	wantCode(t, err, codes.Unauthenticated, "")

	// Crossing follows and unfollows at once neither deadlock nor drift.
	a, b := e.newUser(t, "cross_a", "A"), e.newUser(t, "cross_b", "B")
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Go(func() {
			from, to := a, b
			if i%2 == 1 {
				from, to = b, a
			}
			var err error
			if i%4 < 2 {
				_, err = e.client.FollowProfile(from.ctx, &communityv1.FollowProfileRequest{Username: to.username})
			} else {
				_, err = e.client.UnfollowProfile(from.ctx, &communityv1.UnfollowProfileRequest{Username: to.username})
			}
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	var bad int
	if err := e.db.QueryRow(t.Context(), `SELECT count(*) FROM profiles pr WHERE
		follower_count <> (SELECT count(*) FROM follows WHERE followee_id = pr.user_id) OR
		following_count <> (SELECT count(*) FROM follows WHERE follower_id = pr.user_id)`).Scan(&bad); err != nil || bad != 0 {
		t.Fatalf("%d profiles with drifted counts (%v)", bad, err)
	}
}

func TestFeeds(t *testing.T) {
	t.Parallel()
	e := startWith(t, options{configure: func(c *community.Config) { c.HotRankRefresh = 100 * time.Millisecond }})
	staff := e.newUser(t, "staff", "운영자", "staff")
	minji := e.newUser(t, "minji", "김민지")
	jisoo := e.newUser(t, "jisoo", "박지수")
	e.boards(t, staff.ctx)
	post := func(u user, title string, anonymous bool) *communityv1.Post {
		return must(e.client.CreatePost(u.ctx, &communityv1.CreatePostRequest{Slug: "free", Title: title, Body: ".", Anonymous: anonymous})).GetPost()
	}
	named := post(minji, "민지의 글", false)
	secret := post(minji, "민지의 익명 글", true)
	post(jisoo, "지수의 글", false)
	must(e.client.FollowProfile(jisoo.ctx, &communityv1.FollowProfileRequest{Username: "minji"}))

	titles := func(ps []*communityv1.Post) string {
		var s []string
		for _, p := range ps {
			s = append(s, p.GetTitle())
		}
		return fmt.Sprint(s)
	}
	if got := titles(must(e.client.ListFeed(visitor, &communityv1.ListFeedRequest{})).GetPosts()); got != "[지수의 글 민지의 익명 글 민지의 글]" {
		t.Fatalf("latest = %s", got)
	}
	// Neither following nor a profile lists an anonymous post: that would unmask it.
	if got := titles(must(e.client.ListFeed(jisoo.ctx, &communityv1.ListFeedRequest{Kind: "following"})).GetPosts()); got != "[민지의 글]" {
		t.Fatalf("following = %s", got)
	}
	if got := titles(must(e.client.ListProfilePosts(visitor, &communityv1.ListProfilePostsRequest{Username: "minji"})).GetPosts()); got != "[민지의 글]" {
		t.Fatalf("profile posts = %s", got)
	}
	_, err := e.client.ListFeed(visitor, &communityv1.ListFeedRequest{Kind: "following"})
	wantCode(t, err, codes.Unauthenticated, "")
	_, err = e.client.ListFeed(visitor, &communityv1.ListFeedRequest{Kind: "best"})
	wantCode(t, err, codes.InvalidArgument, "kind")

	// Popular: likes lift a post once the ranks are refreshed.
	for range 5 {
		must(e.client.LikePost(e.newUser(t, "", "").ctx, &communityv1.LikePostRequest{Id: secret.GetId()}))
	}
	must(e.client.LikePost(jisoo.ctx, &communityv1.LikePostRequest{Id: named.GetId()}))
	eventually(t, "popular order", func() bool {
		return titles(must(e.client.ListFeed(visitor, &communityv1.ListFeedRequest{Kind: "popular"})).GetPosts()) == "[민지의 익명 글 민지의 글 지수의 글]"
	})
	first := must(e.client.ListFeed(visitor, &communityv1.ListFeedRequest{Kind: "popular", PageSize: 2}))
	rest := must(e.client.ListFeed(visitor, &communityv1.ListFeedRequest{Kind: "popular", PageSize: 2, Cursor: first.GetNextCursor()}))
	if titles(rest.GetPosts()) != "[지수의 글]" || rest.GetNextCursor() != "" {
		t.Fatalf("popular page 2 = %s", titles(rest.GetPosts()))
	}
	_, err = e.client.ListFeed(visitor, &communityv1.ListFeedRequest{Kind: "popular", Cursor: "eA"})
	wantCode(t, err, codes.InvalidArgument, "cursor")
}
