package grpcapi

import (
	"context"

	"google.golang.org/protobuf/types/known/timestamppb"

	communityv1 "github.com/jangteo/jangteo/gen/go/jangteo/community/v1"
	"github.com/jangteo/jangteo/services/community/internal/app"
	"github.com/jangteo/jangteo/services/community/internal/domain"
)

func toProtoMessage(m domain.MessageView) *communityv1.Message {
	return &communityv1.Message{Id: m.ID, Body: m.Body, Mine: m.Mine, CreateTime: timestamppb.New(m.CreatedAt)}
}

func toProtoConversation(c domain.ConversationView) *communityv1.Conversation {
	out := &communityv1.Conversation{
		Id:          c.ID,
		Subject:     &communityv1.ConversationSubject{PostId: c.PostID, CommentId: c.CommentID, PostTitle: c.PostTitle},
		Counterpart: toProtoAuthor(c.Counterpart), Anonymous: c.Anonymous, UnreadCount: int32(c.Unread),
		Blocked: c.Blocked, CreateTime: timestamppb.New(c.CreatedAt),
	}
	if c.Last != nil {
		out.LastMessage = toProtoMessage(*c.Last)
	}
	return out
}

// MessagePostAuthor implements communityv1.CommunityServiceServer.
func (s *Server) MessagePostAuthor(ctx context.Context, req *communityv1.MessagePostAuthorRequest) (*communityv1.MessagePostAuthorResponse, error) {
	sent, err := s.app.MessageAuthor(ctx, caller(ctx), app.NewMessage{PostID: req.GetId(), Body: req.GetBody(), Anonymous: req.GetAnonymous()})
	if err != nil {
		return nil, err
	}
	created(ctx)
	return &communityv1.MessagePostAuthorResponse{Conversation: toProtoConversation(sent.Conversation), Message: toProtoMessage(sent.Message)}, nil
}

// MessageCommentAuthor implements communityv1.CommunityServiceServer.
func (s *Server) MessageCommentAuthor(ctx context.Context, req *communityv1.MessageCommentAuthorRequest) (*communityv1.MessageCommentAuthorResponse, error) {
	sent, err := s.app.MessageAuthor(ctx, caller(ctx), app.NewMessage{CommentID: req.GetId(), Body: req.GetBody(), Anonymous: req.GetAnonymous()})
	if err != nil {
		return nil, err
	}
	created(ctx)
	return &communityv1.MessageCommentAuthorResponse{Conversation: toProtoConversation(sent.Conversation), Message: toProtoMessage(sent.Message)}, nil
}

// ListConversations implements communityv1.CommunityServiceServer.
func (s *Server) ListConversations(ctx context.Context, req *communityv1.ListConversationsRequest) (*communityv1.ListConversationsResponse, error) {
	convs, next, unread, err := s.app.Conversations(ctx, caller(ctx), req.GetCursor(), int(req.GetPageSize()))
	if err != nil {
		return nil, err
	}
	resp := &communityv1.ListConversationsResponse{NextCursor: next, UnreadTotal: int32(unread), Conversations: make([]*communityv1.Conversation, len(convs))}
	for i, c := range convs {
		resp.Conversations[i] = toProtoConversation(c)
	}
	return resp, nil
}

// GetConversation implements communityv1.CommunityServiceServer.
func (s *Server) GetConversation(ctx context.Context, req *communityv1.GetConversationRequest) (*communityv1.GetConversationResponse, error) {
	th, err := s.app.Conversation(ctx, caller(ctx), req.GetId(), req.GetCursor(), int(req.GetPageSize()))
	if err != nil {
		return nil, err
	}
	resp := &communityv1.GetConversationResponse{Conversation: toProtoConversation(th.Conversation), NextCursor: th.Next,
		Messages: make([]*communityv1.Message, len(th.Messages))}
	for i, m := range th.Messages {
		resp.Messages[i] = toProtoMessage(m)
	}
	return resp, nil
}

// SendMessage implements communityv1.CommunityServiceServer.
func (s *Server) SendMessage(ctx context.Context, req *communityv1.SendMessageRequest) (*communityv1.SendMessageResponse, error) {
	m, err := s.app.SendMessage(ctx, caller(ctx), req.GetId(), req.GetBody())
	if err != nil {
		return nil, err
	}
	created(ctx)
	return &communityv1.SendMessageResponse{Message: toProtoMessage(m)}, nil
}

// MarkConversationRead implements communityv1.CommunityServiceServer.
func (s *Server) MarkConversationRead(ctx context.Context, req *communityv1.MarkConversationReadRequest) (*communityv1.MarkConversationReadResponse, error) {
	c, err := s.app.MarkRead(ctx, caller(ctx), req.GetId())
	if err != nil {
		return nil, err
	}
	return &communityv1.MarkConversationReadResponse{Conversation: toProtoConversation(c)}, nil
}

// BlockConversation implements communityv1.CommunityServiceServer.
func (s *Server) BlockConversation(ctx context.Context, req *communityv1.BlockConversationRequest) (*communityv1.BlockConversationResponse, error) {
	c, err := s.app.Block(ctx, caller(ctx), req.GetId(), req.GetBlocked())
	if err != nil {
		return nil, err
	}
	return &communityv1.BlockConversationResponse{Conversation: toProtoConversation(c)}, nil
}
