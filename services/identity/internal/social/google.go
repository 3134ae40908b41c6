package social

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
)

// DefaultGoogleBaseURL is Google's OpenID Connect API host; the user-info
// path is /v1/userinfo (the userinfo_endpoint of Google's discovery
// document).
const DefaultGoogleBaseURL = "https://openidconnect.googleapis.com"

const googleUserInfoPath = "/v1/userinfo"

// Google reads the OpenID Connect UserInfo of a Google account.
type Google struct {
	ep endpoint
}

var _ Provider = (*Google)(nil)

// NewGoogle returns a Google client for baseURL (empty means
// DefaultGoogleBaseURL) using hc (nil means a client with DefaultTimeout).
func NewGoogle(baseURL string, hc *http.Client) *Google {
	return &Google{ep: newEndpoint(ProviderGoogle, baseURL, DefaultGoogleBaseURL, googleUserInfoPath, hc)}
}

// Name returns ProviderGoogle.
func (g *Google) Name() string { return ProviderGoogle }

// googleUserInfo is the UserInfo response (OpenID Connect Core 5.1 claims).
type googleUserInfo struct {
	Sub           string       `json:"sub"`
	Email         string       `json:"email"`
	EmailVerified flexibleBool `json:"email_verified"`
	Name          string       `json:"name"`
	Picture       string       `json:"picture"`
}

// googleError is the body of a rejected call, next to a WWW-Authenticate
// header: {"error":"invalid_token","error_description":"Invalid Credentials"}.
type googleError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

// UserInfo calls GET /v1/userinfo. Google answers 401 for unknown, expired
// and revoked tokens.
func (g *Google) UserInfo(ctx context.Context, accessToken string) (Profile, error) {
	status, body, err := g.ep.get(ctx, accessToken)
	if err != nil {
		return Profile{}, err
	}
	if status != http.StatusOK {
		var ge googleError
		_ = json.Unmarshal(body, &ge)
		if status == http.StatusUnauthorized {
			return Profile{}, g.ep.errorf(ErrInvalidToken, "HTTP %d %s: %s", status, ge.Error, ge.Description)
		}
		return Profile{}, g.ep.errorf(ErrBadResponse, "HTTP %d: %s", status, snippet(body))
	}
	var info googleUserInfo
	if err := json.Unmarshal(body, &info); err != nil {
		return Profile{}, g.ep.errorf(ErrBadResponse, "decode userinfo: %v", err)
	}
	if info.Sub == "" {
		return Profile{}, g.ep.errorf(ErrBadResponse, "userinfo has no sub")
	}
	return Profile{
		Provider:      ProviderGoogle,
		Subject:       info.Sub,
		Email:         info.Email,
		EmailVerified: info.Email != "" && bool(info.EmailVerified),
		Name:          info.Name,
		AvatarURL:     info.Picture,
	}, nil
}

// flexibleBool accepts true and "true". The OIDC endpoint sends a JSON
// boolean, but Google's older userinfo and tokeninfo endpoints send the
// string, and a base URL pointed at one of them should not fail sign-in.
type flexibleBool bool

// UnmarshalJSON implements json.Unmarshaler.
func (b *flexibleBool) UnmarshalJSON(data []byte) error {
	*b = flexibleBool(bytes.Equal(data, []byte("true")) || bytes.Equal(data, []byte(`"true"`)))
	return nil
}
