package mail

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"time"
)

// Message is one mail to send. Text and HTML are UTF-8; when both are set
// the mail is multipart/alternative and clients show the HTML, falling back
// to the text.
type Message struct {
	// To is one address or a comma-separated list, each optionally with a
	// display name: "김민지 <minji@example.com>, ops@example.com".
	To string
	// Subject may contain any Unicode text; it is encoded per RFC 2047.
	Subject string
	// Text is the plain-text body.
	Text string
	// HTML is the HTML body, optional.
	HTML string
}

// ErrNoRecipient means Message.To held no address.
var ErrNoRecipient = errors.New("mail: message has no recipient")

// ErrNoBody means the message had neither Text nor HTML.
var ErrNoBody = errors.New("mail: message has no body")

// newlines flattens line breaks in header text; a newline inside a Subject
// must never start a new header.
var newlines = strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ")

// build renders msg as an RFC 5322 message with MIME bodies.
func build(from *mail.Address, to []*mail.Address, msg Message, now time.Time) ([]byte, error) {
	if msg.Text == "" && msg.HTML == "" {
		return nil, ErrNoBody
	}
	var b bytes.Buffer
	header := func(k, v string) { writeHeader(&b, k, v) }

	rcpts := make([]string, len(to))
	for i, a := range to {
		rcpts[i] = a.String()
	}
	header("From", from.String())
	header("To", strings.Join(rcpts, ", "))
	header("Subject", encodeSubject(msg.Subject))
	header("Date", now.Format(time.RFC1123Z))
	header("Message-ID", messageID(from.Address))
	header("MIME-Version", "1.0")

	switch {
	case msg.Text != "" && msg.HTML != "":
		mw := multipart.NewWriter(&b)
		header("Content-Type", mime.FormatMediaType("multipart/alternative", map[string]string{"boundary": mw.Boundary()}))
		b.WriteString("\r\n")
		// RFC 2046: alternatives go from plainest to richest.
		for _, p := range []struct{ mediaType, body string }{
			{"text/plain", msg.Text},
			{"text/html", msg.HTML},
		} {
			pw, err := mw.CreatePart(textproto.MIMEHeader{
				"Content-Type":              {p.mediaType + "; charset=UTF-8"},
				"Content-Transfer-Encoding": {"quoted-printable"},
			})
			if err != nil {
				return nil, err
			}
			if err := writeQP(pw, p.body); err != nil {
				return nil, err
			}
		}
		if err := mw.Close(); err != nil {
			return nil, err
		}
	default:
		mediaType, body := "text/plain", msg.Text
		if msg.HTML != "" {
			mediaType, body = "text/html", msg.HTML
		}
		header("Content-Type", mediaType+"; charset=UTF-8")
		header("Content-Transfer-Encoding", "quoted-printable")
		b.WriteString("\r\n")
		if err := writeQP(&b, body); err != nil {
			return nil, err
		}
	}
	return b.Bytes(), nil
}

// writeQP writes body quoted-printable, which keeps lines under 76
// characters and every byte 7-bit, so any relay accepts it; line breaks
// become CRLF.
func writeQP(w io.Writer, body string) error {
	qp := quotedprintable.NewWriter(w)
	if _, err := io.WriteString(qp, body); err != nil {
		return err
	}
	return qp.Close()
}

// encodeSubject encodes a subject as RFC 2047 Q encoded-words when it is not
// plain ASCII. Line breaks become spaces first, so a subject can never start
// a new header.
func encodeSubject(s string) string {
	return mime.QEncoding.Encode("UTF-8", newlines.Replace(s))
}

// maxHeaderLine is RFC 5322's recommended line length. Q-encoded Korean is
// nine characters a syllable, so subjects cross it quickly.
const maxHeaderLine = 78

// writeHeader writes "key: value", folding at spaces so lines stay within
// maxHeaderLine where the value allows. Folding only inserts CRLF before an
// existing space, which unfolding removes again, so the value is unchanged;
// between RFC 2047 encoded-words even the space is ignored.
func writeHeader(b *bytes.Buffer, key, value string) {
	b.WriteString(key)
	b.WriteByte(':')
	// The name counts as the first line's content, so even the first word
	// may move to a continuation line ("Subject:" CRLF " =?UTF-8?q?...").
	n := len(key) + 1
	for _, w := range strings.Split(value, " ") {
		if n > 1 && n+1+len(w) > maxHeaderLine {
			b.WriteString("\r\n")
			n = 0
		}
		b.WriteByte(' ')
		b.WriteString(w)
		n += 1 + len(w)
	}
	b.WriteString("\r\n")
}

// messageID returns a globally unique Message-ID in the sender's domain, as
// RFC 5322 asks; some spam filters penalise mail without one.
func messageID(fromAddr string) string {
	domain := "localhost"
	if i := strings.LastIndexByte(fromAddr, '@'); i >= 0 && i < len(fromAddr)-1 {
		domain = fromAddr[i+1:]
	}
	return "<" + strings.ToLower(rand.Text()) + "@" + domain + ">"
}

// IsAddress reports whether s is one bare address with no display name or
// surrounding text, e.g. minji@example.com: what a form's email field takes.
func IsAddress(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && a.Name == ""
}
