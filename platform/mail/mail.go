// Package mail delivers transactional mail (verification links, password
// resets, order confirmations) to an SMTP relay.
//
// It speaks plain SMTP with net/smtp: STARTTLS when the relay offers it,
// PLAIN authentication when credentials are configured. In development the
// relay is the in-process sink in package smtpsink, so every mail lands in
// the dev mailbox instead of leaving the machine.
package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/smtp"
	"os"
	"strconv"
	"time"
)

// DefaultTimeout bounds one delivery when the caller's context has no
// earlier deadline. SMTP servers can stall a connection for minutes.
const DefaultTimeout = 30 * time.Second

// Config says which relay to use and who the mail is from.
type Config struct {
	// Host is the relay's host name; it is also the name checked against
	// the relay's TLS certificate.
	Host string `env:"HOST"`
	// Port is the relay's port: 587 for submission with STARTTLS, 25 for
	// relays on a private network, the sink's port in development.
	Port int `env:"PORT"`
	// Username turns on PLAIN authentication when set.
	Username string `env:"USERNAME"`
	// Password goes with Username.
	Password string `env:"PASSWORD"`
	// From is the sender, with an optional display name:
	// "Jangteo <no-reply@jangteo.dev>".
	From string `env:"FROM"`
	// StartTLS upgrades the connection when the relay offers STARTTLS.
	// net/smtp refuses to send a password over an unencrypted connection
	// to anything but localhost, so a remote relay with Username set needs
	// this on.
	StartTLS bool `env:"STARTTLS"`
	// Timeout bounds one delivery; zero means DefaultTimeout.
	Timeout time.Duration `env:"TIMEOUT"`
	// TLSConfig overrides the TLS settings for STARTTLS; nil verifies the
	// relay's certificate for Host against the system roots.
	TLSConfig *tls.Config
}

// Sender delivers messages through one relay. It opens a connection per
// message, which suits the low volume of transactional mail and keeps no
// idle connection for the relay to drop. It is safe for concurrent use.
type Sender struct {
	cfg  Config
	from *mail.Address
	now  func() time.Time
}

// NewSender checks cfg and returns a Sender. A bad From address fails here,
// at start-up, rather than on the first sign-up.
func NewSender(cfg Config) (*Sender, error) {
	if cfg.Host == "" {
		return nil, errors.New("mail: host is required")
	}
	if cfg.Port < 1 || cfg.Port > 65535 {
		return nil, fmt.Errorf("mail: port %d out of range", cfg.Port)
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("mail: from address %q: %w", cfg.From, err)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	return &Sender{cfg: cfg, from: from, now: time.Now}, nil
}

// Send builds msg and delivers it to the relay. A nil error means the relay
// accepted the message for delivery, not that it reached the inbox.
func (s *Sender) Send(ctx context.Context, msg Message) error {
	to, err := parseRecipients(msg.To)
	if err != nil {
		return err
	}
	raw, err := build(s.from, to, msg, s.now())
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	if err := s.deliver(ctx, to, raw); err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return fmt.Errorf("mail: send: %w", ctxErr)
		}
		// The connection deadline is the context's deadline and may fire a
		// moment before the context notices; report it the same way.
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return fmt.Errorf("mail: send: %w: %w", context.DeadlineExceeded, err)
		}
		return fmt.Errorf("mail: send: %w", err)
	}
	return nil
}

func (s *Sender) deliver(ctx context.Context, to []*mail.Address, raw []byte) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(s.cfg.Host, strconv.Itoa(s.cfg.Port)))
	if err != nil {
		return err
	}
	// net/smtp has no context support: the deadline bounds every read and
	// write, and closing the connection on cancel unblocks the one in flight.
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()

	c, err := smtp.NewClient(conn, s.cfg.Host)
	if err != nil {
		_ = conn.Close()
		return err
	}
	defer c.Close()

	if s.cfg.StartTLS {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(s.tlsConfig()); err != nil {
				return fmt.Errorf("starttls: %w", err)
			}
		}
	}
	if s.cfg.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", s.cfg.Username, s.cfg.Password, s.cfg.Host)); err != nil {
			return fmt.Errorf("auth: %w", err)
		}
	}
	if err := c.Mail(s.from.Address); err != nil {
		return fmt.Errorf("mail from: %w", err)
	}
	for _, a := range to {
		if err := c.Rcpt(a.Address); err != nil {
			return fmt.Errorf("rcpt to: %w", err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("data: %w", err)
	}
	if _, err := w.Write(raw); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	// Close sends the final "." and returns the relay's verdict.
	if err := w.Close(); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	return c.Quit()
}

func (s *Sender) tlsConfig() *tls.Config {
	if s.cfg.TLSConfig != nil {
		cfg := s.cfg.TLSConfig.Clone()
		if cfg.ServerName == "" {
			cfg.ServerName = s.cfg.Host
		}
		return cfg
	}
	return &tls.Config{ServerName: s.cfg.Host, MinVersion: tls.VersionTLS12}
}

func parseRecipients(to string) ([]*mail.Address, error) {
	if to == "" {
		return nil, ErrNoRecipient
	}
	addrs, err := mail.ParseAddressList(to)
	if err != nil {
		return nil, fmt.Errorf("mail: recipient %q: %w", to, err)
	}
	if len(addrs) == 0 {
		return nil, ErrNoRecipient
	}
	return addrs, nil
}
