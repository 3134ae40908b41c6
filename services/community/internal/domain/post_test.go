package domain_test

import (
	"testing"

	"github.com/jangteo/jangteo/services/community/internal/domain"
)

func TestCommentAuthor(t *testing.T) {
	t.Parallel()
	named := domain.Profile{Username: "minji", Name: "김민지"}
	tests := []struct {
		name    string
		c       domain.Comment
		display string
		op      bool
		profile bool
	}{
		{"anonymous post author", domain.Comment{AuthorID: "op", PostAuthorID: "op", PostAnon: true, Anonymous: true}, "익명(글쓴이)", true, false},
		{"anonymous commenter", domain.Comment{AuthorID: "u", PostAuthorID: "op", Anonymous: true, Pseudonym: 3}, "익명3", false, false},
		{"named commenter", domain.Comment{AuthorID: "u", PostAuthorID: "op", Author: named}, "김민지", false, true},
		{"named author of a named post", domain.Comment{AuthorID: "op", PostAuthorID: "op", Author: named}, "김민지", true, true},
		{"named comment on an anonymous post is never flagged as the author's", domain.Comment{AuthorID: "op", PostAuthorID: "op", PostAnon: true, Author: named}, "김민지", false, true},
		{"member without a profile yet", domain.Comment{AuthorID: "u", PostAuthorID: "op"}, "회원", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := domain.CommentAuthor(tt.c)
			if a.DisplayName != tt.display || a.IsPostAuthor != tt.op || (a.Profile != nil) != tt.profile || a.Anonymous != tt.c.Anonymous {
				t.Fatalf("CommentAuthor = %+v", a)
			}
			if a.Profile != nil && a.Profile.UserID != tt.c.AuthorID {
				t.Fatalf("profile id = %q", a.Profile.UserID)
			}
		})
	}
}

func TestShowPostHidesAnonymousAndDeleted(t *testing.T) {
	t.Parallel()
	viewer := domain.Caller{UserID: "reader"}
	p := domain.Post{ID: "p", AuthorID: "op", Anonymous: true, Author: domain.Profile{Name: "secret"}, Title: "t", Body: "b"}
	v := domain.ShowPost(p, viewer)
	if v.Author.Profile != nil || v.Author.DisplayName != "익명" || v.Viewer.Mine || !v.Viewer.SignedIn {
		t.Fatalf("anonymous post shows %+v / %+v", v.Author, v.Viewer)
	}
	if !domain.ShowPost(p, domain.Caller{UserID: "op"}).Viewer.Mine {
		t.Fatal("the author does not see the post as theirs")
	}
	deleted := p
	deleted.Anonymous, deleted.DeletedAt = false, &p.CreatedAt
	if v := domain.ShowPost(deleted, viewer); v.Author != nil || v.Title != "" || v.Body != "" || !v.Deleted {
		t.Fatalf("deleted post shows %+v", v)
	}
}

func TestThreadOrderAndPlaceholders(t *testing.T) {
	t.Parallel()
	now := domain.Comment{}.CreatedAt
	gone := &now
	comments := []domain.Comment{ // newest first, as the store reads them
		{ID: "c3", AuthorID: "a", Body: "third"},
		{ID: "c2", AuthorID: "a", Body: "gone, no replies", DeletedAt: gone},
		{ID: "c1", AuthorID: "a", Body: "gone, with a reply", DeletedAt: gone},
	}
	replies := []domain.Comment{ // oldest first
		{ID: "r1", ParentID: "c1", AuthorID: "b", Body: "first reply"},
		{ID: "r2", ParentID: "c1", ReplyToID: "r1", AuthorID: "a", Body: "second reply"},
		{ID: "r3", ParentID: "c3", AuthorID: "b", Body: "hidden", HiddenAt: gone},
	}
	th := domain.Thread(comments, replies, domain.Caller{UserID: "x"})
	if len(th) != 2 || th[0].ID != "c3" || th[1].ID != "c1" {
		t.Fatalf("thread = %+v", th)
	}
	if len(th[0].Replies) != 0 || !th[1].Deleted || th[1].Body != "" || th[1].Author != nil || len(th[1].Replies) != 2 {
		t.Fatalf("placeholders = %+v", th)
	}
	if th[1].Replies[1].ReplyTo == nil || th[1].Replies[1].ReplyTo.DisplayName != "회원" {
		t.Fatalf("reply_to = %+v", th[1].Replies[1].ReplyTo)
	}
	// Staff see hidden replies.
	if staff := domain.Thread(comments, replies, domain.Caller{UserID: "s", Staff: true}); len(staff[0].Replies) != 1 {
		t.Fatalf("staff thread = %+v", staff)
	}
}
