package app

import (
	"context"

	"github.com/jangteo/jangteo/platform/errs"
	"github.com/jangteo/jangteo/services/community/internal/domain"
	"github.com/jangteo/jangteo/services/community/internal/events"
	"github.com/jangteo/jangteo/services/community/internal/store"
)

// NewMessage is a first message to the author of a post or comment.
type NewMessage struct {
	// PostID or CommentID names the subject (exactly one).
	PostID    string
	CommentID string
	Body      string
	Anonymous bool
}

// Sent is the conversation a message went into and the message.
type Sent struct {
	Conversation domain.ConversationView
	Message      domain.MessageView
}

func checkMessage(body string) error {
	var v errs.Violations
	domain.CheckText(&v, "body", body, domain.MaxCommentLen)
	return v.Err()
}

// MessageAuthor writes to the author of a post or comment. The conversation
// is tied to that subject: where its author is anonymous both sides stay
// anonymous, and the recipient is never named to the sender.
func (a *App) MessageAuthor(ctx context.Context, c domain.Caller, n NewMessage) (Sent, error) {
	if err := checkMessage(n.Body); err != nil {
		return Sent{}, err
	}
	q := a.store.Read()
	conv := domain.Conversation{ID: newID(), InitiatorID: c.UserID}
	if n.CommentID != "" {
		cm, err := q.Comment(ctx, c.UserID, n.CommentID, false)
		if err != nil {
			return Sent{}, err
		}
		if cm.Gone(c) {
			return Sent{}, domain.ErrCommentNotFound
		}
		conv.PostID, conv.CommentID, conv.RecipientID, conv.RecipientAnon = cm.PostID, cm.ID, cm.AuthorID, cm.Anonymous
	} else {
		p, err := q.Post(ctx, c.UserID, n.PostID, false)
		if err != nil {
			return Sent{}, err
		}
		if !p.Open() {
			return Sent{}, domain.ErrPostNotFound
		}
		conv.PostID, conv.RecipientID, conv.RecipientAnon = p.ID, p.AuthorID, p.Anonymous
	}
	if conv.RecipientID == c.UserID {
		return Sent{}, domain.ErrMessageSelf
	}
	conv.InitiatorAnon = n.Anonymous || conv.RecipientAnon
	var out Sent
	err := a.store.InTx(ctx, func(q *store.Queries) error {
		id, err := q.OpenConversation(ctx, conv)
		if err != nil {
			return err
		}
		out, err = a.send(ctx, q, c, id, n.Body)
		return err
	})
	return out, err
}

// SendMessage replies in one of the caller's conversations.
func (a *App) SendMessage(ctx context.Context, c domain.Caller, conversationID, body string) (domain.MessageView, error) {
	if err := checkMessage(body); err != nil {
		return domain.MessageView{}, err
	}
	var out Sent
	err := a.store.InTx(ctx, func(q *store.Queries) error {
		var err error
		out, err = a.send(ctx, q, c, conversationID, body)
		return err
	})
	return out.Message, err
}

// send adds a message to a conversation of the caller's, inside q's
// transaction, and announces it unless a block withheld it.
func (a *App) send(ctx context.Context, q *store.Queries, c domain.Caller, conversationID, body string) (Sent, error) {
	conv, err := q.Conversation(ctx, c.UserID, conversationID)
	if err != nil {
		return Sent{}, err
	}
	m := domain.Message{ID: newID(), SenderID: c.UserID, Body: body, CreatedAt: a.now()}
	delivered, err := q.AddMessage(ctx, conv.ID, conv.Counterpart(), m)
	if err != nil {
		return Sent{}, err
	}
	if delivered {
		if err := q.Enqueue(ctx, events.SubjectMessageSent, events.MessageSent(m.ID, conv.ID, m.CreatedAt)); err != nil {
			return Sent{}, err
		}
	}
	if conv, err = q.Conversation(ctx, c.UserID, conv.ID); err != nil {
		return Sent{}, err
	}
	return Sent{Conversation: domain.ShowConversation(conv), Message: domain.ShowMessage(m, c.UserID)}, nil
}

// Conversations pages the caller's inbox and totals the unread messages.
func (a *App) Conversations(ctx context.Context, c domain.Caller, cursor string, size int) ([]domain.ConversationView, string, int, error) {
	q := a.store.Read()
	convs, next, err := q.Conversations(ctx, c.UserID, store.Page{After: cursor, Size: pageSize(size, 20)})
	if err != nil {
		return nil, "", 0, err
	}
	unread, err := q.UnreadTotal(ctx, c.UserID)
	if err != nil {
		return nil, "", 0, err
	}
	out := make([]domain.ConversationView, len(convs))
	for i, cv := range convs {
		out[i] = domain.ShowConversation(cv)
	}
	return out, next, unread, nil
}

// Thread is a conversation with a page of its messages.
type Thread struct {
	Conversation domain.ConversationView
	Messages     []domain.MessageView
	Next         string
}

// Conversation reads one of the caller's conversations; anyone else's is
// domain.ErrConversationNotFound.
func (a *App) Conversation(ctx context.Context, c domain.Caller, id, cursor string, size int) (Thread, error) {
	q := a.store.Read()
	conv, err := q.Conversation(ctx, c.UserID, id)
	if err != nil {
		return Thread{}, err
	}
	msgs, next, err := q.Messages(ctx, c.UserID, id, store.Page{After: cursor, Size: pageSize(size, 50)})
	if err != nil {
		return Thread{}, err
	}
	out := Thread{Conversation: domain.ShowConversation(conv), Next: next, Messages: make([]domain.MessageView, len(msgs))}
	for i, m := range msgs {
		out.Messages[i] = domain.ShowMessage(m, c.UserID)
	}
	return out, nil
}

// MarkRead marks a conversation of the caller's read.
func (a *App) MarkRead(ctx context.Context, c domain.Caller, id string) (domain.ConversationView, error) {
	return a.conversationChange(ctx, c, id, func(q *store.Queries, conv domain.Conversation) error {
		return q.MarkRead(ctx, c.UserID, conv.ID)
	})
}

// Block blocks or unblocks the counterpart of a caller's conversation.
func (a *App) Block(ctx context.Context, c domain.Caller, id string, on bool) (domain.ConversationView, error) {
	return a.conversationChange(ctx, c, id, func(q *store.Queries, conv domain.Conversation) error {
		return q.SetBlock(ctx, c.UserID, conv.ID, conv.Counterpart(), on)
	})
}

func (a *App) conversationChange(ctx context.Context, c domain.Caller, id string, change func(*store.Queries, domain.Conversation) error) (domain.ConversationView, error) {
	var out domain.Conversation
	err := a.store.InTx(ctx, func(q *store.Queries) error {
		conv, err := q.Conversation(ctx, c.UserID, id)
		if err != nil {
			return err
		}
		if err := change(q, conv); err != nil {
			return err
		}
		out, err = q.Conversation(ctx, c.UserID, id)
		return err
	})
	if err != nil {
		return domain.ConversationView{}, err
	}
	return domain.ShowConversation(out), nil
}
