package events

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"

	"github.com/jangteo/jangteo/platform/logging"
	"github.com/jangteo/jangteo/platform/postgres"
)

// Enqueue writes msg to the outbox on subject, inside the caller's transaction,
// and returns the new event's id. The event is published only if that
// transaction commits.
func Enqueue(ctx context.Context, tx postgres.DB, subject string, msg proto.Message) (string, error) {
	payload, err := proto.Marshal(msg)
	if err != nil {
		return "", fmt.Errorf("events: marshal %s: %w", subject, err)
	}
	id := uuid.Must(uuid.NewV7())
	const q = `INSERT INTO outbox (id, subject, type, payload, request_id) VALUES ($1, $2, $3, $4, $5)`
	if _, err := tx.Exec(ctx, q, id, subject, string(msg.ProtoReflect().Descriptor().FullName()), payload, logging.RequestID(ctx)); err != nil {
		return "", fmt.Errorf("events: enqueue %s: %w", subject, err)
	}
	return id.String(), nil
}
