package smtpsink

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
)

// maxDepth bounds multipart nesting; real mail nests two or three levels.
const maxDepth = 8

// parseMessage decodes the subject and the first text/plain and text/html
// parts of raw. It never fails: whatever cannot be parsed is shown raw,
// since a dev mailbox that hides a malformed mail hides the bug.
func parseMessage(raw []byte) Message {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Message{Text: normalize(string(raw))}
	}
	var m Message
	subject := msg.Header.Get("Subject")
	if dec, err := new(mime.WordDecoder).DecodeHeader(subject); err == nil {
		subject = dec
	}
	m.Subject = subject
	walkPart(&m, msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), "", msg.Body, 0)
	return m
}

// walkPart descends into multipart bodies and fills m.Text and m.HTML from
// the first inline text/plain and text/html leaves.
func walkPart(m *Message, contentType, encoding, disposition string, body io.Reader, depth int) {
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		// RFC 2045: a missing or unreadable Content-Type means text/plain.
		mediaType = "text/plain"
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		if depth >= maxDepth || params["boundary"] == "" {
			return
		}
		mr := multipart.NewReader(body, params["boundary"])
		for {
			// NextRawPart leaves the transfer encoding to decode, so every
			// part goes through the same decoder.
			p, err := mr.NextRawPart()
			if err != nil {
				return
			}
			walkPart(m, p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"),
				p.Header.Get("Content-Disposition"), p, depth+1)
		}
	}
	if d, _, err := mime.ParseMediaType(disposition); err == nil && d == "attachment" {
		return
	}
	switch {
	case mediaType == "text/plain" && m.Text == "":
		m.Text = normalize(decode(encoding, body))
	case mediaType == "text/html" && m.HTML == "":
		m.HTML = normalize(decode(encoding, body))
	}
}

// decode undoes a Content-Transfer-Encoding. 7bit, 8bit and binary are the
// identity.
func decode(encoding string, body io.Reader) string {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		// The decoder skips the CRLFs that wrap base64 lines.
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	b, _ := io.ReadAll(body)
	return string(b)
}

// normalize turns CRLF into "\n" and drops trailing line breaks, which SMTP
// framing adds or not depending on the MIME structure, so tests can compare
// bodies with what they sent.
func normalize(s string) string {
	return strings.TrimRight(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
}
