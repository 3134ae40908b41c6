package domain

import (
	"strconv"
	"time"
)

// Profile is a user as the community knows them.
type Profile struct {
	UserID         string
	Username       string
	Name           string
	AvatarURL      string
	FollowerCount  int
	FollowingCount int
}

// DisplayName is the name to show for a profile.
func (p Profile) DisplayName() string {
	switch {
	case p.Name != "":
		return p.Name
	case p.Username != "":
		return p.Username
	}
	return "회원"
}

// Post is a stored post with its author's profile and, when read for a
// signed-in caller, the caller's like and scrap.
type Post struct {
	ID           string
	BoardID      string
	BoardSlug    string
	BoardName    string
	BoardKind    BoardKind
	AuthorID     string
	Author       Profile
	Anonymous    bool
	Title        string
	Body         string
	Media        []string // URLs, in order
	MediaIDs     []string // the uploads behind Media (empty for posts older than uploads)
	Label        string
	Pinned       bool
	LikeCount    int
	CommentCount int
	ScrapCount   int
	CreatedAt    time.Time
	EditedAt     *time.Time
	DeletedAt    *time.Time
	HiddenAt     *time.Time

	Liked    bool
	Scrapped bool

	Products []TaggedProduct
}

// TaggedProduct is a catalog product a style post tags, as the catalog
// described it when tagged.
type TaggedProduct struct {
	ID       string
	Slug     string
	Name     string
	ImageURL string
}

// VisibleTo reports whether c may read the post: a hidden post only by
// staff and its author, a deleted one only while it has comments (as a
// placeholder that keeps its thread readable).
func (p Post) VisibleTo(c Caller) bool {
	if p.DeletedAt != nil {
		return p.CommentCount > 0
	}
	return p.HiddenAt == nil || c.Staff || p.AuthorID == c.UserID
}

// Open reports whether the post takes comments, likes and scraps.
func (p Post) Open() bool { return p.DeletedAt == nil && p.HiddenAt == nil }

// Comment is a stored comment or reply with its author's profile, the
// pseudonym number its author holds in the post (0 if none) and, for a
// signed-in caller, the caller's like.
type Comment struct {
	ID           string
	PostID       string
	ParentID     string // empty for a comment
	ReplyToID    string // the comment or reply a reply addresses
	AuthorID     string
	Author       Profile
	Anonymous    bool
	Pseudonym    int
	Body         string
	LikeCount    int
	ReplyCount   int // live replies of a comment
	CreatedAt    time.Time
	EditedAt     *time.Time
	DeletedAt    *time.Time
	HiddenAt     *time.Time
	PostAuthorID string
	PostAnon     bool

	Liked bool
}

// Gone reports whether the comment is deleted, or hidden from c.
func (c Comment) Gone(viewer Caller) bool {
	return c.DeletedAt != nil || (c.HiddenAt != nil && !viewer.Staff && c.AuthorID != viewer.UserID)
}

// Pseudonyms as Everytime shows them.
const (
	AnonymousName  = "익명"
	AnonymousOP    = "익명(글쓴이)"
	anonymousNameN = "익명"
)

// AuthorView is an author as a caller may see them: a profile, or only a
// pseudonym. It never holds the user id of an anonymous author.
type AuthorView struct {
	DisplayName  string
	Anonymous    bool
	IsPostAuthor bool
	Profile      *Profile
}

// Viewer is the caller's relation to an item.
type Viewer struct {
	SignedIn bool
	Liked    bool
	Scrapped bool
	Mine     bool
}

// PostView is a post as a caller may see it.
type PostView struct {
	ID           string
	BoardSlug    string
	BoardName    string
	Author       *AuthorView
	Anonymous    bool
	Title        string
	Body         string
	Media        []string
	MediaIDs     []string
	Label        string
	Pinned       bool
	LikeCount    int
	CommentCount int
	ScrapCount   int
	Viewer       Viewer
	Deleted      bool
	Hidden       bool
	CreatedAt    time.Time
	EditedAt     *time.Time
	Products     []TaggedProduct
}

// ShowPost renders p for c. An anonymous post shows 익명 and no profile; a
// deleted post shows neither author nor content.
func ShowPost(p Post, c Caller) PostView {
	v := PostView{
		ID: p.ID, BoardSlug: p.BoardSlug, BoardName: p.BoardName, Anonymous: p.Anonymous,
		Label: p.Label, Pinned: p.Pinned, LikeCount: p.LikeCount, CommentCount: p.CommentCount,
		ScrapCount: p.ScrapCount, CreatedAt: p.CreatedAt, EditedAt: p.EditedAt,
		Deleted: p.DeletedAt != nil, Hidden: p.HiddenAt != nil,
		Viewer: Viewer{SignedIn: c.SignedIn(), Liked: p.Liked, Scrapped: p.Scrapped},
	}
	if v.Deleted {
		return v
	}
	v.Viewer.Mine = c.SignedIn() && p.AuthorID == c.UserID
	v.Title, v.Body, v.Media, v.MediaIDs, v.Products = p.Title, p.Body, p.Media, p.MediaIDs, p.Products
	if p.Anonymous {
		v.Author = &AuthorView{DisplayName: AnonymousName, Anonymous: true, IsPostAuthor: true}
	} else {
		prof := p.Author
		prof.UserID = p.AuthorID
		v.Author = &AuthorView{DisplayName: prof.DisplayName(), IsPostAuthor: true, Profile: &prof}
	}
	return v
}

// CommentView is a comment as a caller may see it.
type CommentView struct {
	ID        string
	PostID    string
	ParentID  string
	Author    *AuthorView
	ReplyTo   *AuthorView
	Body      string
	LikeCount int
	Viewer    Viewer
	Deleted   bool
	Hidden    bool
	CreatedAt time.Time
	EditedAt  *time.Time
	Replies   []CommentView
}

// CommentAuthor renders the author of c within its post's thread: the
// post's anonymous author is 익명(글쓴이), other anonymous participants
// 익명N by the number they hold in the post.
func CommentAuthor(c Comment) *AuthorView {
	byOP := c.AuthorID == c.PostAuthorID
	if c.Anonymous {
		if byOP {
			return &AuthorView{DisplayName: AnonymousOP, Anonymous: true, IsPostAuthor: true}
		}
		return &AuthorView{DisplayName: anonymousNameN + strconv.Itoa(c.Pseudonym), Anonymous: true}
	}
	prof := c.Author
	prof.UserID = c.AuthorID
	// The author of an anonymous post always comments anonymously on it, so a
	// named comment is never the post's author there; the guard keeps it so.
	return &AuthorView{DisplayName: prof.DisplayName(), IsPostAuthor: byOP && !c.PostAnon, Profile: &prof}
}

// ShowComment renders c for viewer; addressed is the comment a reply
// addresses (nil if none or gone).
func ShowComment(c Comment, addressed *Comment, viewer Caller) CommentView {
	v := CommentView{
		ID: c.ID, PostID: c.PostID, ParentID: c.ParentID, LikeCount: c.LikeCount,
		CreatedAt: c.CreatedAt, EditedAt: c.EditedAt,
		Deleted: c.DeletedAt != nil, Hidden: c.HiddenAt != nil,
		Viewer: Viewer{SignedIn: viewer.SignedIn(), Liked: c.Liked},
	}
	if c.Gone(viewer) {
		return v
	}
	v.Body = c.Body
	v.Author = CommentAuthor(c)
	v.Viewer.Mine = viewer.SignedIn() && c.AuthorID == viewer.UserID
	if addressed != nil && !addressed.Gone(viewer) {
		v.ReplyTo = CommentAuthor(*addressed)
	}
	return v
}

// Thread nests replies under their comments: comments keep their order
// (newest first), replies come oldest first. A comment that is gone stays as
// a placeholder only while it has visible replies.
func Thread(comments, replies []Comment, viewer Caller) []CommentView {
	byID := make(map[string]*Comment, len(comments)+len(replies))
	for i := range comments {
		byID[comments[i].ID] = &comments[i]
	}
	for i := range replies {
		byID[replies[i].ID] = &replies[i]
	}
	children := make(map[string][]CommentView, len(comments))
	for _, r := range replies {
		if r.Gone(viewer) {
			continue
		}
		children[r.ParentID] = append(children[r.ParentID], ShowComment(r, byID[r.ReplyToID], viewer))
	}
	out := make([]CommentView, 0, len(comments))
	for _, c := range comments {
		kids := children[c.ID]
		if c.Gone(viewer) && len(kids) == 0 {
			continue
		}
		v := ShowComment(c, nil, viewer)
		v.Replies = kids
		out = append(out, v)
	}
	return out
}

// Media is a picture a member uploaded for their posts. Key names the
// stored object; it is random and says nothing about the owner.
type Media struct {
	ID          string
	OwnerID     string
	Key         string
	URL         string
	ContentType string
	Size        int64
	CreatedAt   time.Time
}
