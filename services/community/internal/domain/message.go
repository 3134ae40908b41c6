package domain

import (
	"time"

	"github.com/jangteo/jangteo/platform/errs"
)

// Errors of direct messages.
var (
	ErrConversationNotFound = errs.New(errs.NotFound, "CONVERSATION_NOT_FOUND", "conversation not found")
	ErrMessageSelf          = errs.New(errs.Invalid, "MESSAGE_SELF", "you cannot message yourself")
)

// Conversation is a stored conversation as one of its members reads it.
type Conversation struct {
	ID            string
	PostID        string
	CommentID     string
	PostTitle     string
	InitiatorID   string
	RecipientID   string
	InitiatorAnon bool
	RecipientAnon bool
	CreatedAt     time.Time

	// The reading member's side.
	Viewer       string
	Unread       int
	Last         *Message
	Blocked      bool    // blocked from this conversation
	Counterparty Profile // joined only when the counterpart is named
}

// Counterpart is the other member's id.
func (c Conversation) Counterpart() string {
	if c.Viewer == c.InitiatorID {
		return c.RecipientID
	}
	return c.InitiatorID
}

// anonymous reports whether user is anonymous in this conversation.
func (c Conversation) anonymous(user string) bool {
	if user == c.InitiatorID {
		return c.InitiatorAnon
	}
	return c.RecipientAnon
}

// Message is a stored direct message.
type Message struct {
	ID        string
	SenderID  string
	Body      string
	CreatedAt time.Time
}

// MessageView is a message as a member sees it: no sender, only whether it
// is the member's own.
type MessageView struct {
	ID        string
	Body      string
	Mine      bool
	CreatedAt time.Time
}

// ShowMessage renders m for viewer.
func ShowMessage(m Message, viewer string) MessageView {
	return MessageView{ID: m.ID, Body: m.Body, Mine: m.SenderID == viewer, CreatedAt: m.CreatedAt}
}

// ConversationView is a conversation as one of its members sees it.
type ConversationView struct {
	ID          string
	PostID      string
	CommentID   string
	PostTitle   string
	Counterpart *AuthorView
	Anonymous   bool
	Unread      int
	Last        *MessageView
	Blocked     bool
	CreatedAt   time.Time
}

// ShowConversation renders c for its reading member: an anonymous
// counterpart is only 익명.
func ShowConversation(c Conversation) ConversationView {
	v := ConversationView{
		ID: c.ID, PostID: c.PostID, CommentID: c.CommentID, PostTitle: c.PostTitle,
		Anonymous: c.anonymous(c.Viewer), Unread: c.Unread, Blocked: c.Blocked, CreatedAt: c.CreatedAt,
	}
	other := c.Counterpart()
	if c.anonymous(other) {
		v.Counterpart = &AuthorView{DisplayName: AnonymousName, Anonymous: true}
	} else {
		p := c.Counterparty
		p.UserID = other
		v.Counterpart = &AuthorView{DisplayName: p.DisplayName(), Profile: &p}
	}
	if c.Last != nil {
		m := ShowMessage(*c.Last, c.Viewer)
		v.Last = &m
	}
	return v
}
