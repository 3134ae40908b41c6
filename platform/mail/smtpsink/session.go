package smtpsink

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"
)

// Protocol limits. RFC 5321 section 4.5.3.1 sets 512 octets for a command
// line and 1000 for a text line; a longer data line is tolerated because
// some senders do not fold, but the whole message is bounded.
const (
	maxCommandLine = 512
	maxDataLine    = 64 << 10
	maxMessageSize = 10 << 20
	maxRecipients  = 100
	// idleTimeout drops sessions that stop talking, so a stuck client
	// cannot hold a goroutine forever.
	idleTimeout = 5 * time.Minute
)

var errLineTooLong = errors.New("line too long")

// session is one SMTP connection.
type session struct {
	sink *Sink
	conn net.Conn
	r    *bufio.Reader
	tls  bool

	greeted bool
	from    string
	hasFrom bool
	rcpts   []string
}

func newSession(s *Sink, conn net.Conn) *session {
	return &session{sink: s, conn: conn, r: bufio.NewReader(conn)}
}

func (ss *session) reply(code int, lines ...string) error {
	var b strings.Builder
	for i, l := range lines {
		sep := "-"
		if i == len(lines)-1 {
			sep = " "
		}
		fmt.Fprintf(&b, "%d%s%s\r\n", code, sep, l)
	}
	_ = ss.conn.SetWriteDeadline(time.Now().Add(idleTimeout))
	_, err := io.WriteString(ss.conn, b.String())
	return err
}

func (ss *session) resetTransaction() {
	ss.from, ss.hasFrom, ss.rcpts = "", false, nil
}

// serve runs the command loop until QUIT, a network error or Close.
func (ss *session) serve() {
	if ss.reply(220, ss.sink.hostname+" ESMTP jangteo smtpsink ready") != nil {
		return
	}
	for {
		_ = ss.conn.SetReadDeadline(time.Now().Add(idleTimeout))
		line, err := readLine(ss.r, maxCommandLine)
		if errors.Is(err, errLineTooLong) {
			if ss.reply(500, "5.5.2 Line too long") != nil {
				return
			}
			continue
		}
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		if !ss.handle(strings.ToUpper(verb), strings.TrimSpace(arg)) {
			return
		}
	}
}

// handle runs one command and reports whether the session continues.
func (ss *session) handle(verb, arg string) bool {
	var err error
	switch verb {
	case "EHLO", "HELO":
		err = ss.hello(verb, arg)
	case "MAIL":
		err = ss.mail(arg)
	case "RCPT":
		err = ss.rcpt(arg)
	case "DATA":
		err = ss.data()
	case "RSET":
		ss.resetTransaction()
		err = ss.reply(250, "2.0.0 OK")
	case "NOOP":
		err = ss.reply(250, "2.0.0 OK")
	case "VRFY":
		err = ss.reply(252, "2.5.0 Cannot VRFY user, but will accept message")
	case "AUTH":
		err = ss.auth(arg)
	case "STARTTLS":
		err = ss.startTLS()
	case "QUIT":
		_ = ss.reply(221, "2.0.0 Bye")
		return false
	case "":
		err = ss.reply(500, "5.5.2 Syntax error, command unrecognized")
	default:
		err = ss.reply(502, "5.5.1 Command not implemented")
	}
	return err == nil
}

func (ss *session) hello(verb, arg string) error {
	if arg == "" {
		return ss.reply(501, "5.5.4 Syntax: "+verb+" hostname")
	}
	ss.greeted = true
	ss.resetTransaction()
	if verb == "HELO" {
		return ss.reply(250, ss.sink.hostname)
	}
	ext := []string{
		ss.sink.hostname + " greets " + arg,
		"8BITMIME",
		"SMTPUTF8",
		"ENHANCEDSTATUSCODES",
		"SIZE " + strconv.Itoa(maxMessageSize),
	}
	if ss.sink.tlsConfig != nil && !ss.tls {
		ext = append(ext, "STARTTLS")
	}
	ext = append(ext, "AUTH PLAIN LOGIN")
	return ss.reply(250, ext...)
}

func (ss *session) mail(arg string) error {
	switch {
	case !ss.greeted:
		return ss.reply(503, "5.5.1 Send EHLO or HELO first")
	case ss.hasFrom:
		return ss.reply(503, "5.5.1 Nested MAIL command")
	}
	addr, ok := parsePath(arg, "FROM:")
	if !ok {
		return ss.reply(501, "5.5.4 Syntax: MAIL FROM:<address>")
	}
	ss.from, ss.hasFrom = addr, true
	return ss.reply(250, "2.1.0 Sender OK")
}

func (ss *session) rcpt(arg string) error {
	switch {
	case !ss.hasFrom:
		return ss.reply(503, "5.5.1 Need MAIL before RCPT")
	case len(ss.rcpts) >= maxRecipients:
		return ss.reply(452, "4.5.3 Too many recipients")
	}
	addr, ok := parsePath(arg, "TO:")
	if !ok || addr == "" {
		return ss.reply(501, "5.5.4 Syntax: RCPT TO:<address>")
	}
	ss.rcpts = append(ss.rcpts, addr)
	return ss.reply(250, "2.1.5 Recipient OK")
}

func (ss *session) data() error {
	if len(ss.rcpts) == 0 {
		return ss.reply(503, "5.5.1 Need RCPT before DATA")
	}
	if err := ss.reply(354, "Start mail input; end with <CRLF>.<CRLF>"); err != nil {
		return err
	}
	raw, tooBig, err := readData(ss.r)
	if err != nil {
		return err
	}
	defer ss.resetTransaction()
	if tooBig {
		return ss.reply(552, "5.3.4 Message too big")
	}
	m := parseMessage(raw)
	m.ID = newID()
	m.From = ss.from
	m.To = ss.rcpts
	m.TLS = ss.tls
	m.ReceivedAt = time.Now().UTC()
	ss.sink.store(m)
	return ss.reply(250, "2.0.0 OK: queued as "+m.ID)
}

// auth accepts any credentials: the sink only needs a sender's AUTH step
// to complete. PLAIN with and without an initial response, and LOGIN.
func (ss *session) auth(arg string) error {
	if !ss.greeted {
		return ss.reply(503, "5.5.1 Send EHLO first")
	}
	mech, initial, _ := strings.Cut(arg, " ")
	var prompts []string
	switch strings.ToUpper(mech) {
	case "PLAIN":
		if initial == "" {
			prompts = []string{""}
		}
	case "LOGIN":
		prompts = []string{"VXNlcm5hbWU6", "UGFzc3dvcmQ6"} // "Username:", "Password:"
		if initial != "" {
			prompts = prompts[1:]
		}
	default:
		return ss.reply(504, "5.5.4 Unrecognized authentication type")
	}
	if initial != "" && initial != "=" {
		if _, err := base64.StdEncoding.DecodeString(initial); err != nil {
			return ss.reply(501, "5.5.2 Cannot decode response")
		}
	}
	for _, p := range prompts {
		if err := ss.reply(334, p); err != nil {
			return err
		}
		line, err := readLine(ss.r, maxCommandLine)
		if err != nil {
			return err
		}
		if line == "*" {
			return ss.reply(501, "5.7.0 Authentication cancelled")
		}
		if _, err := base64.StdEncoding.DecodeString(line); err != nil {
			return ss.reply(501, "5.5.2 Cannot decode response")
		}
	}
	return ss.reply(235, "2.7.0 Authentication successful")
}

func (ss *session) startTLS() error {
	if ss.sink.tlsConfig == nil || ss.tls {
		return ss.reply(502, "5.5.1 STARTTLS not available")
	}
	if err := ss.reply(220, "2.0.0 Ready to start TLS"); err != nil {
		return err
	}
	tc := tls.Server(ss.conn, ss.sink.tlsConfig)
	_ = tc.SetDeadline(time.Now().Add(idleTimeout))
	if err := tc.Handshake(); err != nil {
		return err
	}
	// RFC 3207: forget everything learnt before the upgrade.
	ss.conn, ss.r, ss.tls = tc, bufio.NewReader(tc), true
	ss.greeted = false
	ss.resetTransaction()
	return nil
}

// parsePath reads "FROM:<addr> PARAMS" (prefix "FROM:") and returns addr.
// Parameters such as BODY=8BITMIME or SIZE= are accepted and ignored.
func parsePath(arg, prefix string) (string, bool) {
	if len(arg) < len(prefix) || !strings.EqualFold(arg[:len(prefix)], prefix) {
		return "", false
	}
	rest := strings.TrimSpace(arg[len(prefix):])
	if !strings.HasPrefix(rest, "<") {
		// Lenient: some clients send a bare address.
		addr, _, _ := strings.Cut(rest, " ")
		return addr, addr != ""
	}
	end := strings.IndexByte(rest, '>')
	if end < 0 {
		return "", false
	}
	return rest[1:end], true
}

// readLine reads one line without its CRLF (or bare LF). A longer line than
// limit is consumed to its end and reported as errLineTooLong, so the
// session can answer and carry on in sync.
func readLine(r *bufio.Reader, limit int) (string, error) {
	var line []byte
	tooLong := false
	for {
		chunk, err := r.ReadSlice('\n')
		if !tooLong {
			if len(line)+len(chunk) > limit+2 {
				tooLong, line = true, nil
			} else {
				line = append(line, chunk...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil {
			return "", err
		}
		break
	}
	if tooLong {
		return "", errLineTooLong
	}
	line = bytes.TrimSuffix(line, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	return string(line), nil
}

// readData reads the DATA body up to the lone "." line, undoing the
// sender's dot-stuffing (RFC 5321 section 4.5.2). Past maxMessageSize it
// keeps reading, to stay in step with the client, but reports tooBig.
func readData(r *bufio.Reader) (raw []byte, tooBig bool, err error) {
	var b bytes.Buffer
	for {
		line, err := readLine(r, maxDataLine)
		if errors.Is(err, errLineTooLong) {
			tooBig = true
			continue
		}
		if err != nil {
			return nil, false, err
		}
		if line == "." {
			break
		}
		line = strings.TrimPrefix(line, ".")
		if tooBig || b.Len()+len(line)+2 > maxMessageSize {
			tooBig = true
			b.Reset()
			continue
		}
		b.WriteString(line)
		b.WriteString("\r\n")
	}
	if tooBig {
		return nil, true, nil
	}
	return b.Bytes(), false, nil
}
