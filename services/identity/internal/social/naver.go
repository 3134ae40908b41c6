package social

import (
	"context"
	"encoding/json"
	"net/http"
)

// DefaultNaverBaseURL is Naver's open API host; the profile path is
// /v1/nid/me.
const DefaultNaverBaseURL = "https://openapi.naver.com"

const naverUserInfoPath = "/v1/nid/me"

// naverResultOK is Naver's "resultcode" for success; naverResultAuthFailed
// is its code for a missing, unknown or expired access token.
const (
	naverResultOK         = "00"
	naverResultAuthFailed = "024"
)

// Naver reads the member profile of a Naver account.
type Naver struct {
	ep endpoint
}

var _ Provider = (*Naver)(nil)

// NewNaver returns a Naver client for baseURL (empty means
// DefaultNaverBaseURL) using hc (nil means a client with DefaultTimeout).
func NewNaver(baseURL string, hc *http.Client) *Naver {
	return &Naver{ep: newEndpoint(ProviderNaver, baseURL, DefaultNaverBaseURL, naverUserInfoPath, hc)}
}

// Name returns ProviderNaver.
func (n *Naver) Name() string { return ProviderNaver }

// naverProfile is the envelope of every answer:
// {"resultcode":"00","message":"success","response":{...}}.
type naverProfile struct {
	ResultCode string `json:"resultcode"`
	Message    string `json:"message"`
	Response   struct {
		// ID is unique per user and per application, not a Naver login id.
		ID           string `json:"id"`
		Email        string `json:"email"`
		Name         string `json:"name"`
		Nickname     string `json:"nickname"`
		ProfileImage string `json:"profile_image"`
		Mobile       string `json:"mobile"`
	} `json:"response"`
}

// UserInfo calls GET /v1/nid/me. Naver answers 401 with resultcode "024"
// for a bad token. Only fields the user consented to are present.
func (n *Naver) UserInfo(ctx context.Context, accessToken string) (Profile, error) {
	status, body, err := n.ep.get(ctx, accessToken)
	if err != nil {
		return Profile{}, err
	}
	var p naverProfile
	decodeErr := json.Unmarshal(body, &p)
	switch {
	case status == http.StatusUnauthorized || p.ResultCode == naverResultAuthFailed:
		return Profile{}, n.ep.errorf(ErrInvalidToken, "HTTP %d resultcode %s: %s", status, p.ResultCode, p.Message)
	case status != http.StatusOK:
		// 403 here means the app lacks the profile API permission: ours to fix.
		return Profile{}, n.ep.errorf(ErrBadResponse, "HTTP %d: %s", status, snippet(body))
	case decodeErr != nil:
		return Profile{}, n.ep.errorf(ErrBadResponse, "decode profile: %v", decodeErr)
	case p.ResultCode != naverResultOK:
		return Profile{}, n.ep.errorf(ErrBadResponse, "resultcode %s: %s", p.ResultCode, p.Message)
	case p.Response.ID == "":
		return Profile{}, n.ep.errorf(ErrBadResponse, "profile has no id")
	}
	r := p.Response
	name := r.Name
	if name == "" {
		name = r.Nickname
	}
	return Profile{
		Provider: ProviderNaver,
		Subject:  r.ID,
		Email:    r.Email,
		// Naver only hands out the email it verified for the account.
		EmailVerified: r.Email != "",
		Name:          name,
		AvatarURL:     r.ProfileImage,
	}, nil
}
